import assert from "node:assert/strict";
import test from "node:test";
import { isSecretName, knownSecrets, mask, maskSecret, registerSecret } from "../lib/report/mask";

const KEY = "0123456789abcdef0123456789abcdef";

test("maskSecret keeps only the last four characters", () => {
  assert.equal(maskSecret(KEY), "***cdef");
  assert.equal(maskSecret("short"), "***");
});

test("secret names: headers, JSON fields, settings", () => {
  for (const name of ["api-key", "Ocp-Apim-Subscription-Key", "Authorization", "Apim-Debug-Authorization", "apimSubscriptionKey", "managementToken", "token", "subscription_key"]) {
    assert.equal(isSecretName(name), true, name);
  }
  for (const name of ["x-ratelimit-remaining-tokens", "prompt_tokens", "apim-request-id", "Apim-Trace-Id", "traceId", "content-type", "subscriptionId"]) {
    assert.equal(isSecretName(name), false, name);
  }
});

test("mask: APIM trace header lists, plain objects, bearer tokens in text", () => {
  const trace = {
    request: {
      headers: [
        { name: "api-key", value: KEY },
        { name: "Authorization", value: "Bearer eyJhbGciOi.payload.signature" },
        { name: "Content-Type", value: "application/json" },
      ],
    },
    message: "forwarding with Authorization: Bearer abcdefghijklmnop",
    apimSubscriptionKey: { type: "String", value: KEY },
  };
  const masked = mask(trace);
  const text = JSON.stringify(masked);
  assert.ok(!text.includes(KEY));
  assert.ok(!text.includes("eyJhbGciOi.payload.signature"));
  assert.ok(!text.includes("abcdefghijklmnop"));
  assert.equal(masked.request.headers[2].value, "application/json");
  assert.equal(masked.apimSubscriptionKey.type, "String");
  assert.equal(trace.request.headers[0].value, KEY, "the input is not changed");
});

test("registered secrets are masked wherever they appear in text", () => {
  const secret = "debug-token-" + Math.random().toString(36).slice(2) + "-zzzz";
  registerSecret(secret);
  assert.ok(knownSecrets().includes(secret));
  assert.equal(mask(`token is ${secret}.`), `token is ***zzzz.`);
  const error = mask(new Error(`bad ${secret}`));
  assert.equal(error.message, "bad ***zzzz");
});

test("Headers objects become masked records", () => {
  const headers = new Headers({ "api-key": KEY, "x-ms-region": "Sweden Central" });
  assert.deepEqual(mask(headers), { "api-key": "***cdef", "x-ms-region": "Sweden Central" });
});

/**
 * Strict debug tokens: the one canonical encoding (base64url without padding, payload dot
 * 43-character signature) is a token; every alteration of it is not, and the call is not traced.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { startLocalLab } from "../lib/local-lab/index";
import { signDebugToken, verifyDebugToken } from "../lib/local-lab/trace/debug-token";
import { alteredTokens } from "../tools/abuse/tokens";
import { debugToken } from "../tools/abuse/traced";

const KEY = Buffer.alloc(32, 7);
const API = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/openai";
const token = signDebugToken({ apiId: API, expiresAt: Date.now() + 60_000, purposes: ["tracing"] }, KEY);

test("the issued token is base64url without padding: payload, a dot, a 43-character signature", () => {
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  assert.equal(verifyDebugToken(token, KEY, { apiId: API }).status, "valid");
});

for (const altered of alteredTokens(token)) {
  test(`a token with ${altered.name} is not a token`, () => {
    assert.notEqual(altered.token, token);
    assert.equal(verifyDebugToken(altered.token, KEY, { apiId: API }).status, "invalid");
  });
}

test("the altered forms that a lenient decoder reads as the issued token are among those refused", () => {
  const sameBytes = alteredTokens(token).filter((a) => {
    const [p, s] = a.token.split(".");
    return s !== undefined && Buffer.from(s, "base64url").equals(Buffer.from(token.split(".")[1], "base64url")) && p === token.split(".")[0];
  });
  // trailing '=', '==', '!!', the same-bytes last character, standard base64.
  assert.ok(sameBytes.length >= 5, sameBytes.map((a) => a.name).join(", "));
});

test("through the gateway, only the issued token traces; each altered one gets no Apim-Trace-Id", async () => {
  const lab = await startLocalLab({ timing: ZERO_LATENCY });
  try {
    const issued = await debugToken(lab);
    const traced = async (t: string) => {
      const res = await fetch(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
        method: "POST",
        headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "apim-debug-authorization": t },
        body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }] }),
      });
      await res.arrayBuffer();
      assert.equal(res.status, 200);
      return res.headers.get("apim-trace-id") !== null;
    };
    assert.equal(await traced(issued), true);
    for (const altered of alteredTokens(issued)) assert.equal(await traced(altered.token), false, altered.name);
  } finally {
    await lab.close();
  }
});

/**
 * The backend's 502 for an upstream it cannot reach names the cause: DNS, refused, TLS,
 * timeout, reset; in one line that says what to check.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { startBackend } from "../lib/local-lab/backend/index";
import { upstreamCause } from "../lib/local-lab/backend/upstream";
import { listen } from "../lib/local-lab/listen";

async function badGateway(upstreamUrl: string): Promise<string> {
  const backend = await startBackend({ upstream: { kind: "azure", url: upstreamUrl, apiKey: "k" } });
  try {
    const res = await fetch(`${backend.url}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
      method: "POST",
      headers: { "api-key": backend.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "BadGateway");
    return body.error.message;
  } finally {
    await backend.close();
  }
}

test("a refused connection is named as such, with the host and port", async () => {
  const closed = await listen(createServer());
  const url = closed.url;
  await closed.close();
  const message = await badGateway(url);
  assert.equal(message, `The upstream endpoint could not be reached: connection refused by ${new URL(url).host} (ECONNREFUSED): is the server running, on that port?`);
});

test("https to a server that speaks plain HTTP is named a TLS failure", async () => {
  const plain = await listen(createServer((_req, res) => res.end("x")));
  try {
    const message = await badGateway(plain.url.replace("http:", "https:"));
    assert.match(message, /^The upstream endpoint could not be reached: TLS failed with 127\.0\.0\.1:\d+ \(ERR_SSL_[A-Z_]+\): check that the URL's scheme/);
  } finally {
    await plain.close();
  }
});

test("DNS failures, timeouts and resets each get their own words, found in fetch's cause chain", () => {
  const fetchFailed = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(`x ${code}`), { code }) });
  const url = "https://my-aoai.openai.azure.com/openai";
  assert.equal(upstreamCause(fetchFailed("ENOTFOUND"), url), "DNS lookup failed for my-aoai.openai.azure.com (ENOTFOUND): check the host name in the upstream URL.");
  assert.match(upstreamCause(fetchFailed("UND_ERR_CONNECT_TIMEOUT"), url), /^timed out connecting to my-aoai\.openai\.azure\.com \(UND_ERR_CONNECT_TIMEOUT\)/);
  assert.equal(upstreamCause(fetchFailed("ECONNRESET"), url), "my-aoai.openai.azure.com closed the connection (ECONNRESET).");
  assert.match(upstreamCause(fetchFailed("CERT_HAS_EXPIRED"), url), /^TLS failed with my-aoai\.openai\.azure\.com \(CERT_HAS_EXPIRED\)/);
  assert.equal(upstreamCause(new TypeError("fetch failed"), url), "fetch failed.");
});

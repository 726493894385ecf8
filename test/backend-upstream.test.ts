import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { startBackend } from "../lib/local-lab/backend";
import { chunksOf, COUNT_PROMPT, post, readEvents, sleep } from "./fixtures/backend-helpers";

test("azure upstream: the stream passes through unchanged, and an abort reaches the real endpoint", async () => {
  const real = await startBackend({ timing: { firstTokenMs: 10, tokenMs: 20, jitter: 0 } });
  const front = await startBackend({ upstream: { url: real.url, apiKey: real.apiKey, kind: "azure" } });
  try {
    const res = await post(front, { messages: [{ role: "user", content: "count to 5" }], stream: true }, { headers: { "x-lab-timing": "none" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(res.headers.get("x-lab-backend"), "upstream-azure");
    const chunks = chunksOf(await readEvents(res));
    assert.equal(chunks.slice(2, -1).map((c) => c.choices[0].delta.content).join(""), "1, 2, 3, 4, 5");

    const bad = await post(front, { messages: [{ role: "user", content: "hi" }] }, { deployment: "not-there" });
    assert.equal(bad.status, 404, "the real endpoint decides which deployments exist");
    assert.equal((await bad.json()).error.code, "DeploymentNotFound");

    const abort = new AbortController();
    const slow = await post(front, { messages: [{ role: "user", content: COUNT_PROMPT }], stream: true }, { signal: abort.signal });
    const reader = (slow.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    assert.equal(real.activeStreams(), 1);
    abort.abort();
    for (let i = 0; i < 100 && real.activeStreams() > 0; i++) await sleep(2);
    assert.equal(real.activeStreams(), 0, "the upstream generation stopped");
    assert.equal(front.activeStreams(), 0);
  } finally {
    await front.close();
    await real.close();
  }
});

test("openai upstream: /chat/completions with the deployment's model and the upstream key only", async () => {
  let seen: { url?: string; headers?: IncomingHttpHeaders; body?: any } = {};
  const stub = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen = { url: req.url, headers: req.headers, body: JSON.parse(body) };
      res.writeHead(200, { "content-type": "text/event-stream", "x-upstream": "stub" });
      res.end('data: {"choices":[{"delta":{"content":"hi"},"index":0}]}\n\ndata: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
  const front = await startBackend({
    upstream: { url: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/v1/`, apiKey: "upstream-secret-key", kind: "openai" },
  });
  try {
    const res = await post(front, { messages: [{ role: "user", content: "hello" }], stream: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-upstream"), "stub");
    assert.equal(await res.text(), 'data: {"choices":[{"delta":{"content":"hi"},"index":0}]}\n\ndata: [DONE]\n\n');
    assert.equal(seen.url, "/v1/chat/completions");
    assert.equal(seen.headers?.authorization, "Bearer upstream-secret-key");
    assert.equal(seen.headers?.["api-key"], undefined, "the lab's key is not passed on");
    assert.equal(seen.body.model, "gpt-4o-mini");
    assert.equal(seen.body.stream, true);

    // The v1 Responses API goes to the upstream's /responses, the deployment's model in the body.
    const v1 = await fetch(`${front.url}/openai/v1/responses`, {
      method: "POST",
      headers: { "api-key": front.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", input: "hello", stream: true }),
    });
    assert.equal(v1.status, 200);
    await v1.text();
    assert.equal(seen.url, "/v1/responses");
    assert.equal(seen.body.input, "hello");
  } finally {
    await front.close();
    await new Promise((r) => stub.close(r));
  }
});

test("an unreachable upstream is a 502 in Azure's error shape", async () => {
  const front = await startBackend({ upstream: { url: "http://127.0.0.1:9", kind: "openai" } });
  try {
    const res = await post(front, { messages: [{ role: "user", content: "hello" }] });
    assert.equal(res.status, 502);
    assert.equal((await res.json()).error.code, "BadGateway");
  } finally {
    await front.close();
  }
});

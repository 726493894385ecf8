import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { startBackend, type BackendServer } from "../lib/local-lab/backend";
import { chatUrl, post } from "./fixtures/backend-helpers";

let backend: BackendServer;
before(async () => {
  backend = await startBackend({
    maxBodyBytes: 4096,
    timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0 },
    deployments: [
      { name: "gpt-4o-mini", model: "gpt-4o-mini", tokensPerMinute: 1_000_000, requestsPerMinute: 1_000 },
      { name: "two-per-minute", model: "gpt-4o-mini", tokensPerMinute: 1_000_000, requestsPerMinute: 2 },
      { name: "small-tpm", model: "gpt-4o-mini", tokensPerMinute: 150, requestsPerMinute: 1_000 },
    ],
  });
});
after(() => backend.close());

const hello = { messages: [{ role: "user", content: "hello" }] };

async function expectError(res: Response, status: number, code: string, message?: RegExp) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.ok(res.headers.get("apim-request-id"), "error responses carry request ids too");
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  if (message) assert.match(body.error.message, message);
  return body;
}

test("401 for a missing or wrong key, in either header", async () => {
  const url = chatUrl(backend);
  const body = JSON.stringify(hello);
  await expectError(await fetch(url, { method: "POST", body }), 401, "401", /Access denied due to invalid subscription key/);
  await expectError(await fetch(url, { method: "POST", body, headers: { "api-key": backend.apiKey + "x" } }), 401, "401");
  await expectError(await fetch(url, { method: "POST", body, headers: { authorization: "Bearer nope" } }), 401, "401");
  const ok = await fetch(url, { method: "POST", body, headers: { authorization: `Bearer ${backend.apiKey}` } });
  assert.equal(ok.status, 200);
  await ok.text();
});

test("404 DeploymentNotFound for an unknown deployment; 404 for other paths; 405 for GET", async () => {
  await expectError(await post(backend, hello, { deployment: "gpt-9" }), 404, "DeploymentNotFound", /deployment for this resource does not exist/);
  const other = await fetch(`${backend.url}/openai/deployments/gpt-4o-mini/embeddings?api-version=2024-10-21`, { method: "POST", headers: { "api-key": backend.apiKey } });
  await expectError(other, 404, "404", /Resource not found/);
  const get = await fetch(chatUrl(backend), { headers: { "api-key": backend.apiKey } });
  assert.equal(get.headers.get("allow"), "POST");
  await expectError(get, 405, "405");
});

test("400 for a missing or malformed api-version", async () => {
  await expectError(await post(backend, hello, { apiVersion: null }), 400, "MissingApiVersionParameter", /api-version query parameter/);
  await expectError(await post(backend, hello, { apiVersion: "yesterday" }), 400, "InvalidApiVersionParameter", /'yesterday' is invalid/);
});

test("400 for bodies that are not JSON or not a chat request", async () => {
  await expectError(await post(backend, "{not json"), 400, "BadRequest", /not valid JSON/);
  await expectError(await post(backend, {}), 400, "BadRequest", /'messages' is a required property/);
  const body = await expectError(await post(backend, { messages: [{ role: "user", content: 12 }] }), 400, "BadRequest", /content must be/);
  assert.equal(body.error.param, "messages[0].content");
  await expectError(await post(backend, { messages: "hi" }), 400, "BadRequest", /must be an array/);
});

test("413 for an oversized body, answered after the body is read; the connection stays open", { timeout: 10_000 }, async () => {
  const big = { messages: [{ role: "user", content: "x".repeat(10_000) }] };
  await expectError(await post(backend, big), 413, "RequestEntityTooLarge", /larger than the 4096 bytes/);

  // Raw: half of a 10,000-byte body, a pause, then the rest. A caller still sending reads
  // the answer, not a reset; and the drained connection carries the next request.
  const url = new URL(chatUrl(backend));
  const socket = connect(Number(url.port), url.hostname);
  let received = "";
  socket.on("data", (c) => (received += c));
  const head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: x\r\napi-key: ${backend.apiKey}\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n`;
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(head + "x".repeat(5000));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(received, "", "no answer before the whole body has come");
  socket.write("x".repeat(5000));
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((r) => setTimeout(r, 5));
  };
  await until(() => received.includes('"RequestEntityTooLarge"'));
  assert.match(received, /^HTTP\/1\.1 413 /);
  assert.doesNotMatch(received, /\r\nconnection: close\r\n/i);
  socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: x\r\napi-key: ${backend.apiKey}\r\n\r\n`);
  await until(() => (received.match(/HTTP\/1\.1 /g) ?? []).length === 2);
  assert.match(received, /HTTP\/1\.1 405 /);
  socket.destroy();
});

test("400 for a malformed x-lab-timing header", async () => {
  await expectError(await post(backend, hello, { headers: { "x-lab-timing": "speed=fast" } }), 400, "InvalidLabTiming", /unknown key "speed"/);
});

test("429 over requests per minute, with Azure's message and headers", async () => {
  for (let i = 0; i < 2; i++) {
    const ok = await post(backend, hello, { deployment: "two-per-minute" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("x-ratelimit-remaining-requests"), String(1 - i));
    await ok.text();
  }
  const res = await post(backend, hello, { deployment: "two-per-minute" });
  assert.match(res.headers.get("retry-after") ?? "", /^(59|60)$/);
  assert.equal(res.headers.get("x-ratelimit-remaining-requests"), "0");
  assert.match(res.headers.get("x-ratelimit-remaining-tokens") ?? "", /^\d+$/);
  await expectError(
    res,
    429,
    "429",
    /^Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier\. Please retry after (59|60) seconds\. /,
  );
});

test("429 over tokens per minute", async () => {
  const first = await post(backend, hello, { deployment: "small-tpm" });
  assert.equal(first.status, 200);
  const used = 150 - Number(first.headers.get("x-ratelimit-remaining-tokens"));
  assert.ok(used > 75 && used <= 150, `first request used ${used} tokens`);
  await first.text();
  const res = await post(backend, hello, { deployment: "small-tpm" });
  assert.ok(Number(res.headers.get("retry-after")) >= 1);
  assert.equal(res.headers.get("x-ratelimit-remaining-tokens"), String(150 - used));
  await expectError(res, 429, "429", /have exceeded token rate limit of your current .* Please retry after \d+ seconds?\./);
});

/**
 * Bad input and slow callers at the gateway: oversized bodies (413), stalled headers
 * and bodies (408, connection closed), bodies that are not JSON objects (APIM's 500
 * from the policy expression; 400 from the backend). After each, the gateway still serves.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { startBackend, ZERO_LATENCY, type BackendServer } from "../lib/local-lab/backend/index";
import { OPENAI_OPERATIONS, type ApiDefinition } from "../lib/local-lab/gateway/apis";
import { startGateway, type GatewayServer } from "../lib/local-lab/gateway/server";
import { createTraceStore } from "../lib/local-lab/trace/store";
import { signDebugToken } from "../lib/local-lab/trace/debug-token";
import type { TraceDocument } from "../lib/schema";

const KEY = "hardening-subscription-key";
const CHAT = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21";
let backend: BackendServer;
let gateway: GatewayServer;
let port: number;
const SIGNING = Buffer.alloc(32, 1);
const API_ID = "/s/apis/openai";
// The traces the gateway stores, in order: a caller that vanished never got a trace id.
const stored: TraceDocument[] = [];

before(async () => {
  backend = await startBackend({ timing: ZERO_LATENCY });
  const api: ApiDefinition = { id: API_ID, name: "openai", path: "openai", serviceUrl: `${backend.url}/openai`, bufferResponse: false, operations: [...OPENAI_OPERATIONS] };
  gateway = await startGateway({
    traceServiceName: "apim.azure-api.net",
    apis: [api],
    subscriptionKey: KEY,
    debugTokenKey: SIGNING,
    backendToken: backend.apiKey,
    traceStore: (() => {
      const store = createTraceStore(10);
      return { ...store, put: (t: TraceDocument) => (stored.push(t), store.put(t)) };
    })(),
    maxRequestBodyBytes: 64 * 1024,
    headersTimeoutMs: 300,
    requestTimeoutMs: 5_000,
    requestBodyTimeoutMs: 300,
  });
  port = Number(new URL(gateway.url).port);
});
after(async () => {
  await gateway.close();
  await backend.close();
});

const headers = { "api-key": KEY, "content-type": "application/json" };

async function stillServes(): Promise<void> {
  const res = await fetch(gateway.url + CHAT, { method: "POST", headers, body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }] }) });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content, "1, 2, 3");
}

/** Writes raw bytes, then collects everything until the server closes (bounded by `limitMs`). */
function rawExchange(parts: string[], limitMs = 5_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, limitMs);
    socket.on("data", (c) => (text += c));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on("connect", () => parts.forEach((p) => socket.write(p)));
  });
}

test("a body over the limit: 413 with APIM's body, the connection closed after it", async () => {
  const big = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(100 * 1024) }] });
  const res = await fetch(gateway.url + CHAT, { method: "POST", headers, body: big });
  assert.equal(res.status, 413);
  assert.equal(res.headers.get("connection"), "close");
  assert.deepEqual(await res.json(), { statusCode: 413, message: "Request entity too large" });
  await stillServes();
});

test("a chunked body (no content-length) over the limit: 413 as well", async () => {
  const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // 80 KB in all, over the 64 KB limit; bounded, so the test ends even if nothing answers.
      if (sent++ < 5) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const res = await fetch(gateway.url + CHAT, { method: "POST", headers, body, duplex: "half" } as RequestInit);
  assert.equal(res.status, 413);
  assert.deepEqual(await res.json(), { statusCode: 413, message: "Request entity too large" });
  await stillServes();
});

test("headers that never finish: Node answers 408 and closes the connection", async () => {
  const { text, closed } = await rawExchange([`POST ${CHAT} HTTP/1.1\r\nHost: x\r\napi-key: ${KEY}\r\n`]);
  assert.equal(closed, true);
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  await stillServes();
});

test("a body that stalls: 408 with an APIM-style body, connection closed", async () => {
  const head = `POST ${CHAT} HTTP/1.1\r\nHost: x\r\napi-key: ${KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
  const { text, closed } = await rawExchange([head, '{"messages":']);
  assert.equal(closed, true);
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(text, /\r\nconnection: close\r\n/i);
  assert.match(text, /\{"statusCode":408,"message":"Request timeout: the request body did not arrive in time\."\}$/);
  await stillServes();
});

test("a caller that goes away mid-body: the call fails as a client failure, nothing is forwarded, the gateway still serves", async () => {
  const before = stored.length;
  const token = signDebugToken({ apiId: API_ID, expiresAt: Date.now() + 60_000, purposes: ["tracing"] }, SIGNING);
  const head = `POST ${CHAT} HTTP/1.1\r\nHost: x\r\napi-key: ${KEY}\r\napim-debug-authorization: ${token}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
  const { text } = await rawExchange([head, '{"messages":'], 50);
  assert.equal(text, "", "no answer: the caller left first");
  for (let i = 0; i < 100 && stored.length === before; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(stored.length, before + 1, "the call ended and its trace was stored");
  const trace = stored[before];
  assert.deepEqual(Object.keys(trace.traceEntries), ["inbound", "on-error"], "nothing reached the backend stage");
  assert.deepEqual(trace.traceEntries["on-error"]![0].data, {
    source: "request-forwarder", reason: "ClientConnectionFailure",
    message: "The client closed the connection before the response was sent in full.", section: "inbound",
  });
  await stillServes();
});

test("bodies that are not a JSON object: APIM's policy expression fails with 500; nothing crashes or hangs", async () => {
  const bad = ["", "{", "[]", '"text"', "42", "null", '{"stream": tru', "\u00ff\u00fe{"];
  for (const body of bad) {
    const res = await fetch(gateway.url + CHAT, { method: "POST", headers, body });
    assert.equal(res.status, 500, JSON.stringify(body));
    const json = (await res.json()) as { statusCode: number; message: string; activityId: string };
    assert.deepEqual({ ...json, activityId: typeof json.activityId }, { statusCode: 500, message: "Internal server error", activityId: "string" });
  }
  const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
  const res = await fetch(gateway.url + CHAT, { method: "POST", headers, body: invalidUtf8 });
  assert.equal(res.status, 500);
  await res.text();
  await stillServes();
});

test("a JSON object the backend refuses: its 400 passed through; deep nesting too", async () => {
  const res = await fetch(gateway.url + CHAT, { method: "POST", headers, body: JSON.stringify({ stream: true }) });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("x-ms-stream"), "True");
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "BadRequest");
  const deep = `{"messages":${"[".repeat(5000)}${"]".repeat(5000)}}`;
  const res2 = await fetch(gateway.url + CHAT, { method: "POST", headers, body: deep });
  assert.equal(res2.status, 400);
  await res2.text();
  await stillServes();
});

test("a request line that is not HTTP: Node's 400, and the gateway still serves", async () => {
  const { text, closed } = await rawExchange(["NOT HTTP AT ALL\r\n\r\n"]);
  assert.equal(closed, true);
  assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
  await stillServes();
});

test("the backend refuses oversized and non-JSON bodies itself: 413 and 400 in Azure's shape", async () => {
  const call = (body: string) =>
    fetch(backend.url + CHAT, { method: "POST", headers: { "api-key": backend.apiKey, "content-type": "application/json" }, body });
  const big = await call("x".repeat(1024 * 1024 + 1));
  assert.equal(big.status, 413);
  assert.deepEqual(await big.json(), { error: { code: "RequestEntityTooLarge", message: "The request body is larger than the 1048576 bytes this backend accepts." } });
  const notJson = await call("{");
  assert.equal(notJson.status, 400);
  assert.equal(((await notJson.json()) as { error: { code: string } }).error.code, "BadRequest");
});

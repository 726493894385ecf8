// Pure pieces of the gateway and its tracing: no servers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTimeSpan, formatTimestamp, startClock } from "../lib/local-lab/trace/time";
import { createTraceRecorder, NO_TRACE } from "../lib/local-lab/trace/trace";
import { createTraceStore } from "../lib/local-lab/trace/store";
import { signDebugToken, verifyDebugToken } from "../lib/local-lab/trace/debug-token";
import { headerList } from "../lib/local-lab/trace/entries";
import { matchApi, matchOperation, OPENAI_OPERATIONS, type ApiDefinition } from "../lib/local-lab/gateway/apis";
import { backendRequestHeaders, endToEnd } from "../lib/local-lab/gateway/headers";
import { createPieceWriter } from "../lib/local-lab/gateway/pieces";

test("elapsed is a .NET TimeSpan in constant format", () => {
  assert.equal(formatTimeSpan(0n), "00:00:00");
  assert.equal(formatTimeSpan(1_693_503_600n), "00:00:01.6935036");
  assert.equal(formatTimeSpan(100n), "00:00:00.0000001");
  assert.equal(formatTimeSpan(99n), "00:00:00"); // below one tick
  assert.equal(formatTimeSpan(3_723_000_000_000n), "01:02:03");
  assert.equal(formatTimeSpan(90_061_500_000_000n), "1.01:01:01.5000000");
});

test("timestamps are ISO 8601 UTC with 7 fractional digits", () => {
  const epochNs = BigInt(Date.UTC(2024, 4, 1, 12, 0, 0, 123)) * 1_000_000n + 456_789n;
  assert.equal(formatTimestamp(epochNs), "2024-05-01T12:00:00.1234567Z");
  const { timestamp, elapsed } = startClock()();
  assert.match(timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  assert.match(elapsed, /^00:00:00(\.\d{7})?$/);
});

test("a trace keeps APIM's section order whatever the recording order, and leaves empty sections out", () => {
  const t = createTraceRecorder("svc.azure-api.net", "id-1");
  t.add("on-error", "x", {});
  t.add("outbound", "set-header", {});
  t.add("inbound", "api-inspector", { a: 1 });
  const doc = t.document();
  assert.deepEqual(Object.keys(doc.traceEntries), ["inbound", "outbound", "on-error"]);
  assert.equal(doc.serviceName, "svc.azure-api.net");
  assert.equal(doc.traceId, "id-1");
  assert.deepEqual(Object.keys(doc.traceEntries.inbound![0]), ["source", "timestamp", "elapsed", "data"]);
  NO_TRACE.add("inbound", "x", {});
  assert.deepEqual(NO_TRACE.document().traceEntries, {});
});

test("the trace store is bounded and drops the oldest trace first", () => {
  const store = createTraceStore(3);
  for (const id of ["a", "b", "c", "d", "e"]) store.put({ serviceName: "s", traceId: id, traceEntries: {} });
  assert.equal(store.size(), 3);
  assert.equal(store.get("a"), undefined);
  assert.equal(store.get("b"), undefined);
  assert.equal(store.get("e")?.traceId, "e");
  assert.throws(() => createTraceStore(0), RangeError);
});

test("debug tokens: valid, expired, for another API, forged", () => {
  const key = Buffer.alloc(32, 7);
  const apiId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/apis/openai";
  const token = signDebugToken({ apiId, expiresAt: 10_000, purposes: ["tracing"] }, key);
  assert.equal(verifyDebugToken(token, key, { apiId, now: 9_999 }).status, "valid");
  assert.equal(verifyDebugToken(token, key, { apiId: apiId.toUpperCase(), now: 0 }).status, "valid");
  assert.equal(verifyDebugToken(token, key, { apiId, now: 10_000 }).status, "expired");
  assert.equal(verifyDebugToken(token, key, { apiId: apiId + "-buffered", now: 0 }).status, "wrong-api");
  assert.equal(verifyDebugToken(token, Buffer.alloc(32, 8), { apiId, now: 0 }).status, "invalid");
  const [payload, sig] = token.split(".");
  const tampered = Buffer.from(JSON.stringify({ api: apiId, exp: 99_999_999, purposes: ["tracing"] })).toString("base64url");
  assert.equal(verifyDebugToken(`${tampered}.${sig}`, key, { apiId, now: 0 }).status, "invalid");
  assert.equal(verifyDebugToken(payload, key, { apiId, now: 0 }).status, "invalid");
  assert.equal(verifyDebugToken("garbage", key, { apiId, now: 0 }).status, "invalid");
});

test("API by longest path prefix, operation by method and template", () => {
  const api = (name: string, path: string): ApiDefinition => ({
    id: name, name, path, serviceUrl: "http://b/openai", bufferResponse: false, operations: [...OPENAI_OPERATIONS],
  });
  const apis = [api("openai", "openai"), api("buffered", "buffered/openai")];
  assert.equal(matchApi("/openai/deployments/x/chat/completions", apis)?.api.name, "openai");
  assert.equal(matchApi("/OpenAI/deployments/x", apis)?.rest, "/deployments/x");
  assert.equal(matchApi("/buffered/openai/deployments/x/chat/completions", apis)?.api.name, "buffered");
  assert.equal(matchApi("/openaix/deployments", apis), undefined);
  assert.equal(matchApi("/", apis), undefined);
  assert.equal(matchOperation("POST", "/deployments/gpt-4o/chat/completions", OPENAI_OPERATIONS)?.name, "ChatCompletions_Create");
  assert.equal(matchOperation("post", "/deployments/gpt-4o/embeddings", OPENAI_OPERATIONS)?.name, "embeddings_create");
  assert.equal(matchOperation("GET", "/deployments/gpt-4o/chat/completions", OPENAI_OPERATIONS), undefined);
  assert.equal(matchOperation("POST", "/deployments/a/b/chat/completions", OPENAI_OPERATIONS), undefined);
  assert.equal(matchOperation("POST", "/models", OPENAI_OPERATIONS), undefined);
});

/**
 * Hop-by-hop headers, written from RFC 9110: section 7.6.1 (Connection and the fields it
 * names, Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade), 11.7.1 and 11.7.2
 * (Proxy-Authenticate and Proxy-Authorization apply to the next hop only), and Trailer
 * (RFC 2616 section 13.5.1).
 */
const RFC_HOP_BY_HOP = {
  connection: "keep-alive, x-hop",
  "x-hop": "1",
  "proxy-connection": "keep-alive",
  "keep-alive": "timeout=5",
  te: "trailers",
  "transfer-encoding": "chunked",
  upgrade: "websocket",
  "proxy-authenticate": "Basic",
  "proxy-authorization": "Basic eA==",
  trailer: "x-checksum",
};

test("headers: the caller's secrets and hop-by-hop headers stay at the gateway; x-lab-* pass", () => {
  const incoming = {
    host: "gw",
    "api-key": "caller-key",
    "ocp-apim-subscription-key": "caller-key-2",
    "apim-debug-authorization": "debug",
    ...RFC_HOP_BY_HOP,
    "accept-encoding": "gzip",
    "content-length": "999",
    "x-lab-timing": "first-token=300; token=20",
    "x-lab-fault": "drop",
    "content-type": "application/json",
  };
  const out = backendRequestHeaders(incoming, { authorization: "Bearer backend", contentLength: 12, clientIp: "127.0.0.1" });
  assert.deepEqual(out, {
    "x-lab-timing": "first-token=300; token=20",
    "x-lab-fault": "drop",
    "content-type": "application/json",
    authorization: "Bearer backend",
    "content-length": "12",
    "x-forwarded-for": "127.0.0.1",
  });
  assert.deepEqual(endToEnd({ ...RFC_HOP_BY_HOP, "x-ms-region": "r" }), { "x-ms-region": "r" });
  assert.deepEqual(headerList({ a: "1", b: ["2", "3"], c: undefined }), [
    { name: "a", value: "1" }, { name: "b", value: "2" }, { name: "b", value: "3" },
  ]);
});

test("buffer-response: 8 KB pieces, then the remainder at the end", () => {
  const pieces: number[] = [];
  const writer = createPieceWriter((p) => (pieces.push(p.length), true));
  for (let i = 0; i < 100; i++) writer.push(Buffer.alloc(300, i));
  assert.deepEqual(pieces, [8192, 8192, 8192]);
  writer.end();
  assert.deepEqual(pieces, [8192, 8192, 8192, 30_000 - 3 * 8192]);
  // One chunk bigger than two pieces, and the bytes keep their order.
  const out: Buffer[] = [];
  const w2 = createPieceWriter((p) => (out.push(Buffer.from(p)), false), 4);
  const input = Buffer.from("abcdefghijk");
  assert.equal(w2.push(input), false); // backpressure is reported
  w2.end();
  assert.deepEqual(out.map(String), ["abcd", "efgh", "ijk"]);
  const none: number[] = [];
  createPieceWriter((p) => (none.push(p.length), true)).end();
  assert.deepEqual(none, []);
});

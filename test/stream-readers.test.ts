/** The notebook's two readers, without a server: what they keep, call back with, and return. */
import assert from "node:assert/strict";
import test from "node:test";
import { readChatStream, readHttpStream, type HttpResponse } from "../lib/stream/readers";
import { replyText, usageOf } from "../lib/stream/record";

const CHUNKS = [
  { choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] },
  { choices: [{ delta: { content: "", refusal: null, role: "assistant" }, finish_reason: null, index: 0 }] },
  { choices: [{ delta: { content: "1, 2" }, finish_reason: null, index: 0 }] },
  { choices: [{ delta: {}, finish_reason: "stop", index: 0 }] },
  { choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } },
];

async function* chunks(items: object[], thenThrow?: Error): AsyncGenerator<object> {
  for (const item of items) yield item;
  if (thenThrow) throw thenThrow;
}

test("readChatStream: the response first, then each chunk classified as it arrives, and the response returned", async () => {
  const seen: string[] = [];
  const headers = new Headers({ "apim-trace-id": "trace-1" });
  const result = await readChatStream("sdk", async () => ({ data: chunks(CHUNKS), response: { headers } }), {
    onResponse: (response) => seen.push(`response ${response.headers.get("apim-trace-id")}`),
    onEvent: (event) => seen.push(event.kind),
  });
  assert.deepEqual(seen, ["response trace-1", "prompt-filter", "role", "content", "finish", "usage"]);
  assert.equal(result.response?.headers.get("Apim-Trace-Id"), "trace-1");
  assert.equal(result.error, undefined);
  assert.equal(result.record.done, true, "the SDK swallows [DONE]: a loop that ends is a stream that ended");
  assert.equal(replyText(result.record), "1, 2");
  assert.deepEqual(usageOf(result.record), { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  assert.ok(result.record.headersMs <= result.record.events[0].ms);
});

test("readChatStream: a throw mid-stream keeps what arrived; a call that fails keeps nothing and has no headers", async () => {
  const cut = new TypeError("terminated");
  const partial = await readChatStream("cut", async () => ({ data: chunks(CHUNKS.slice(0, 3), cut) }));
  assert.equal(partial.error, cut);
  assert.equal(partial.record.done, false);
  assert.deepEqual(partial.record.events.map((e) => e.kind), ["prompt-filter", "role", "content"]);

  const limited = new Error("429");
  const failed = await readChatStream("429", () => Promise.reject(limited));
  assert.equal(failed.error, limited);
  assert.equal(failed.response, undefined);
  assert.deepEqual(failed.record.events, []);
  assert.ok(Number.isNaN(failed.record.headersMs));
});

test("readHttpStream: an error status comes back as the service's message, with no events", async () => {
  const body = JSON.stringify({ error: { code: "429", message: "Please retry after 7 seconds." } });
  const response: HttpResponse = { ok: false, status: 429, headers: new Headers({ "retry-after": "7" }), body: null, text: async () => body };
  const { record, error } = await readHttpStream("429", response, 0);
  assert.deepEqual(record.events, []);
  assert.equal(record.done, false);
  assert.equal((error as Error).message, "429: Please retry after 7 seconds.");
  assert.equal((error as { status: number }).status, 429);
});

test("readHttpStream: onEvent sees each event as it is read, before the body ends", async () => {
  const seen: string[] = [];
  const response: HttpResponse = {
    ok: true,
    status: 200,
    headers: new Headers(),
    body: (async function* () {
      yield new TextEncoder().encode('data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
      seen.push("second read");
      yield new TextEncoder().encode("data: [DONE]\n\n");
    })(),
    text: async () => "",
  };
  const { record } = await readHttpStream("raw", response, 0, { onEvent: (e) => seen.push(e.kind) });
  assert.deepEqual(seen, ["content", "second read", "done"]);
  assert.equal(record.done, true);
});

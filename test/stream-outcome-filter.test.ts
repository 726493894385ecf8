/**
 * The outcome line for what the content filter did, on chunks written from the recorded
 * and documented streams (notes/responses-and-filters.md B2, B5, B6): the filter that did
 * not run is not a clean success, a filtered completion is one line, and so is an error
 * whose message has line breaks in it.
 */
import assert from "node:assert/strict";
import test from "node:test";
import { classifyEvent } from "../lib/stream/events";
import { streamOutcome } from "../lib/stream/outcome";
import type { StreamRecord } from "../lib/stream/record";

const ID = '"created":1788254279,"id":"chatcmpl-EJEutqAFspAZFB7NOhd08tRyVah11","model":"gpt-4.1-mini-2025-04-14"';
const TAIL = '"object":"chat.completion.chunk","service_tier":"default","system_fingerprint":"fp_51ebab882d"';
const NOT_RUN = '"content_filter_result":{"error":{"code":"content_filter_error","message":"The contents are not filtered"}},';
const PROMPT_FILTER = '{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"content_filter_results":{},"prompt_index":0}]}';
const delta = (d: string, extra = "", finish = "null") =>
  `{"choices":[{${extra}"content_filter_results":{},"delta":${d},"finish_reason":${finish},"index":0,"logprobs":null}],${ID},"obfuscation":"U99lN",${TAIL}}`;

function record(datas: string[], done = true): StreamRecord {
  const events = datas.map((data, i) => ({ ms: i, data, ...classifyEvent(undefined, data) }));
  if (done) events.push({ ms: datas.length, data: "[DONE]", ...classifyEvent(undefined, "[DONE]") });
  return { label: "t", headersMs: 0, endMs: datas.length, done, events };
}

test("a clean filtered stream is a success", () => {
  const r = record([PROMPT_FILTER, delta('{"content":"","refusal":null,"role":"assistant"}'), delta('{"content":"Hi"}'), delta("{}", "", '"stop"')]);
  assert.equal(streamOutcome({ record: r }), "✔ stream complete: 4 chunks (1 with content), [DONE] seen");
});

test("the singular content_filter_result error (recorded 2026, no prompt-filter chunk): content filtering did not run", () => {
  const r = record([delta('{"content":"","refusal":null,"role":"assistant"}', NOT_RUN), delta('{"content":"Hi"}', NOT_RUN), delta("{}", NOT_RUN, '"stop"')]);
  assert.equal(
    streamOutcome({ record: r }),
    "⚠ stream complete: 3 chunks (1 with content), [DONE] seen; content filtering did not run (content_filter_error: The contents are not filtered)",
  );
});

test("the documented plural form of the error counts too, even after a prompt-filter chunk", () => {
  const plural = `{"choices":[{"content_filter_results":{"error":{"code":"content_filter_error","message":"The contents are not filtered"}},"delta":{"content":"Hi"},"finish_reason":null,"index":0,"logprobs":null}],${ID},${TAIL}}`;
  const r = record([PROMPT_FILTER, plural, delta("{}", "", '"stop"')]);
  assert.match(streamOutcome({ record: r }), /^⚠ .*; content filtering did not run \(content_filter_error: The contents are not filtered\)$/);
});

test("no prompt-filter chunk at all (an OpenAI-compatible server): content filtering did not run", () => {
  const r = record([delta('{"content":"","refusal":null,"role":"assistant"}'), delta('{"content":"Hi"}'), delta("{}", "", '"stop"')]);
  assert.equal(streamOutcome({ record: r }), "⚠ stream complete: 3 chunks (1 with content), [DONE] seen; content filtering did not run (no prompt-filter chunk)");
});

test('finish_reason "content_filter", in a delta or in an asynchronous annotation: one line that says the filter stopped it', () => {
  const inDelta = record([PROMPT_FILTER, delta('{"content":"Hey"}'), delta("{}", "", '"content_filter"')]);
  assert.equal(streamOutcome({ record: inDelta }), '✖ stopped by the content filter: 3 chunks (1 with content), finish_reason "content_filter", [DONE] seen');
  const annotation =
    '{"id":"","object":"","created":0,"model":"","choices":[{"index":0,"finish_reason":"content_filter","content_filter_results":{"protected_material_text":{"detected":true,"filtered":true}},"content_filter_offsets":{"check_offset":65,"start_offset":65,"end_offset":1056}}],"usage":null}';
  const async = record([PROMPT_FILTER, delta('{"content":"Hey"}'), annotation]);
  const line = streamOutcome({ record: async });
  assert.equal(line, '✖ stopped by the content filter: 3 chunks (1 with content), finish_reason "content_filter", [DONE] seen');
  assert.ok(!/[\r\n]/.test(line));
});

test("an error message with CR or LF inside stays on one line", () => {
  const r = record([PROMPT_FILTER, delta('{"content":"a"}'), '{"error":{"code":"InternalServerError","message":"first line\\r\\nsecond line\\nthird"}}'], false);
  assert.equal(streamOutcome({ record: r }), "✖ stream incomplete: 3 chunks kept (1 with content), no [DONE]: an error event in the stream: InternalServerError: first line second line third");
  const empty: StreamRecord = { label: "t", headersMs: 0, endMs: 0, done: false, events: [] };
  assert.equal(streamOutcome({ record: empty, error: { error: { message: "bad\r\nthing" } } }).includes("\n"), false);
});

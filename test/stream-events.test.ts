/**
 * The classifier, on chunks written from Azure's streams as recorded in 2025–26 (keys in
 * Azure's alphabetical order, `obfuscation` and `service_tier` on every chunk after the
 * prompt filter's, `usage: null` until the usage chunk) and from Microsoft's
 * content-streaming page for the asynchronous filter's annotations.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import { classifyChunk, classifyEvent, isChunk } from "../lib/stream/events";
import type { StreamRecord } from "../lib/stream/record";
import { eventsFromReads } from "../lib/stream/sse";

const SAFE = '{"filtered":false,"severity":"safe"}';
const ID = '"created":1767225600,"id":"chatcmpl-CsQ2bV8nYwR4tK1mZ7pL3xD9fH6jE","model":"gpt-4.1-mini-2025-04-14"';
const TAIL = '"object":"chat.completion.chunk","service_tier":"default","system_fingerprint":"fp_6f2eabb9a5"';

const CHUNKS = {
  promptFilter: `{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"content_filter_results":{"hate":${SAFE},"jailbreak":{"detected":false,"filtered":false},"self_harm":${SAFE},"sexual":${SAFE},"violence":${SAFE}},"prompt_index":0}]}`,
  role: `{"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],${ID},"obfuscation":"k2Qx",${TAIL},"usage":null}`,
  content: `{"choices":[{"content_filter_results":{},"delta":{"content":"Hello"},"finish_reason":null,"index":0,"logprobs":null}],${ID},"obfuscation":"Vb",${TAIL},"usage":null}`,
  finish: `{"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],${ID},"obfuscation":"p0Zr1",${TAIL},"usage":null}`,
  usage: `{"choices":[],${ID},"obfuscation":"Jq9",${TAIL},"usage":{"completion_tokens":9,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":21,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":30}}`,
  annotation: `{"choices":[{"content_filter_offsets":{"check_offset":44,"start_offset":44,"end_offset":198},"content_filter_results":{"hate":${SAFE},"self_harm":${SAFE},"sexual":${SAFE},"violence":${SAFE}},"finish_reason":null,"index":0}],"created":0,"id":"","model":"","object":""}`,
  error: '{"error":{"code":"InternalServerError","message":"The server had an error while processing your request. Sorry about that!","type":"server_error"}}',
};

test("each kind of Azure chunk is told apart, with what it carries", () => {
  assert.deepEqual(classifyEvent(undefined, CHUNKS.promptFilter), { kind: "prompt-filter" });
  assert.deepEqual(classifyEvent(undefined, CHUNKS.role), { kind: "role" });
  assert.deepEqual(classifyEvent(undefined, CHUNKS.content), { kind: "content", content: "Hello" });
  assert.deepEqual(classifyEvent(undefined, CHUNKS.finish), { kind: "finish", finishReason: "stop" });
  assert.deepEqual(classifyEvent(undefined, CHUNKS.usage), { kind: "usage", usage: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 } });
  assert.deepEqual(classifyEvent(undefined, CHUNKS.annotation), { kind: "annotation" });
  assert.deepEqual(classifyEvent(undefined, CHUNKS.error), {
    kind: "error",
    message: "InternalServerError: The server had an error while processing your request. Sorry about that!",
  });
});

test("[DONE] ends the stream; data that is not JSON is malformed, JSON that is no chunk is other", () => {
  assert.deepEqual(classifyEvent(undefined, "[DONE]"), { kind: "done" });
  assert.deepEqual(classifyEvent(undefined, '{"choices":[{"delta":'), { kind: "malformed" });
  assert.deepEqual(classifyEvent(undefined, "42"), { kind: "other" });
  assert.deepEqual(classifyEvent(undefined, '{"choices":[]}'), { kind: "other" });
});

test("a comment line is a comment event, with its text", () => {
  const events = eventsFromReads([new TextEncoder().encode(": keep-alive\n\n")], [5]);
  assert.deepEqual(events, [{ ms: 5, kind: "comment", data: "keep-alive", bytes: 10 }]);
  assert.equal(isChunk(events[0]), false);
});

test("SDK chunks, already parsed, are classified as their text is", () => {
  for (const [name, text] of Object.entries(CHUNKS)) {
    assert.deepEqual(classifyChunk(JSON.parse(text)), classifyEvent(undefined, text), name);
  }
});

test("a content filter that failed on a chunk does not make it an error event; the failure is kept as filterError", () => {
  // Seen in 2025–26: every chunk with a singular `content_filter_result.error`, and the stream ended normally.
  const chunk = `{"choices":[{"content_filter_result":{"error":{"code":"content_filter_error","message":"The contents are not filtered"}},"delta":{"content":"Hi"},"finish_reason":null,"index":0}]}`;
  assert.deepEqual(classifyEvent(undefined, chunk), { kind: "content", content: "Hi", filterError: "content_filter_error: The contents are not filtered" });
});

test("text is never lost to another kind; an annotation that ends the stream is its finish", () => {
  assert.deepEqual(classifyChunk({ choices: [{ delta: { role: "assistant", content: "Hi" }, finish_reason: "stop" }] }), { kind: "content", content: "Hi" });
  assert.deepEqual(classifyChunk({ choices: [{ content_filter_offsets: {}, finish_reason: "content_filter" }] }), { kind: "finish", finishReason: "content_filter" });
});

test("the recorded stream is a prompt filter, a role, 30 content chunks, a finish, usage and [DONE]", () => {
  const recorded: StreamRecord = JSON.parse(readFileSync(new URL("./fixtures/stream-recorded.json", import.meta.url), "utf8"));
  const kinds = recorded.events.map((e) => classifyEvent(e.event, e.data ?? "").kind);
  assert.deepEqual(kinds, ["prompt-filter", "role", ...Array(30).fill("content"), "finish", "usage", "done"]);
  assert.deepEqual(kinds, recorded.events.map((e) => e.kind), "the fixture's kinds are the classifier's");
});

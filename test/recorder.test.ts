import assert from "node:assert/strict";
import test from "node:test";
import { replyText, StreamRecorder } from "../lib/stream/recorder";

const chunk = (content: string | null, extra: object = {}) => JSON.stringify({ id: "c1", choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra });

test("raw lines: data events with their times, content, usage and [DONE]", () => {
  const recorder = new StreamRecorder("raw", 12);
  recorder.line(`data: ${JSON.stringify({ id: "", choices: [], prompt_filter_results: [] })}`, 300);
  recorder.line("", 300);
  recorder.line(`data: ${chunk("")}`, 301);
  recorder.line(`data: ${chunk("Hel")}`, 320);
  recorder.line(": a comment line", 330);
  recorder.line(`data:${chunk("lo")}`, 340);
  recorder.line(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}`, 350);
  recorder.line("data: [DONE]", 351);
  const record = recorder.finish(360);
  assert.equal(record.label, "raw");
  assert.equal(record.headersMs, 12);
  assert.equal(record.endMs, 360);
  assert.equal(record.done, true);
  assert.deepEqual(record.events.map((e) => e.ms), [300, 301, 320, 340, 350, 351]);
  assert.deepEqual(record.events.map((e) => e.content), [undefined, undefined, "Hel", "lo", undefined, undefined]);
  assert.deepEqual(record.usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
  assert.equal(replyText(record), "Hello");
});

test("a stream cut before [DONE] is not done, and a malformed event is kept without content", () => {
  const recorder = new StreamRecorder("cut", 1);
  recorder.line(`data: ${chunk("a")}`, 10);
  recorder.line("data: {not json", 20);
  const record = recorder.finish(30);
  assert.equal(record.done, false);
  assert.equal(record.events.length, 2);
  assert.equal(record.events[1].data, "{not json");
  assert.equal(replyText(record), "a");
});

test("SDK chunks, including ones with no choices", () => {
  const recorder = new StreamRecorder("sdk", 5);
  recorder.chunk({ choices: [] }, 100);
  recorder.chunk({ choices: [{ delta: { content: "1, " } }] }, 120);
  recorder.chunk({ choices: [{ delta: { content: null } }] }, 130);
  recorder.chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }, 140);
  const record = recorder.finish(150, true);
  assert.equal(record.done, true);
  assert.equal(record.events.length, 4);
  assert.equal(replyText(record), "1, ");
  assert.equal(record.usage?.total_tokens, 2);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { planCompletion, type CompletionPlan, type PlannedEvent } from "../lib/local-lab/backend/plan";
import { releaseTimes } from "../lib/local-lab/backend/content-filter";
import { mergeTiming, tokenTimes } from "../lib/local-lab/backend/timing";
import { TIME_MESSAGES } from "./fixtures/backend-helpers";

const who = { id: "chatcmpl-test", created: 1_700_000_000, model: "gpt-4o-mini-2024-07-18", systemFingerprint: "fp_0123456789" };
const request = { messages: TIME_MESSAGES, stream: true, includeUsage: true };

const COUNT = [{ role: "user", content: "Count to 300, with a comma between each number and no newlines." }];
const KEY = (messages: unknown) => "gpt-4o-mini\n" + JSON.stringify(messages);
/** An event's bytes: planned events render when they are due. */
const dataOf = (e: PlannedEvent) => (typeof e.data === "string" ? e.data : e.data());
const parse = (e: PlannedEvent) => JSON.parse(dataOf(e).slice("data: ".length));
const rendered = (p: CompletionPlan) => ({ ...p, events: p.events.map((e) => ({ ...e, data: dataOf(e) })) });

test("same request and seed: the same events at the same times; the seed moves times and obfuscation, not text", () => {
  const timing = mergeTiming({ seed: 7 });
  const a = planCompletion(request, "gpt-4o-mini", who, timing);
  assert.deepEqual(rendered(planCompletion(request, "gpt-4o-mini", who, timing)), rendered(a));
  const b = planCompletion(request, "gpt-4o-mini", who, mergeTiming({ seed: 8 }));
  assert.deepEqual(b.events.map((e) => e.content), a.events.map((e) => e.content));
  assert.notDeepEqual(b.events.map((e) => e.atMs), a.events.map((e) => e.atMs));
  assert.notDeepEqual(b.events.map(dataOf), a.events.map(dataOf));
});

test("default filter: the frame comes with the first token; content waits for the next release (about every burstMs), one token per event", () => {
  const timing = mergeTiming({ firstTokenMs: 300, tokenMs: 20, jitter: 0.25, burstMs: 2000, seed: 3 });
  const plan = planCompletion({ messages: COUNT, stream: true, includeUsage: true }, "gpt-4o-mini", who, timing, [], "default");
  const n = plan.usage.completion_tokens;
  const times = tokenTimes(n, timing, KEY(COUNT));
  const releases = releaseTimes(times[0], times[n - 1], timing, KEY(COUNT));
  assert.ok(releases.length >= 3, `${n} tokens over ${times[n - 1].toFixed(0)} ms gave ${releases.length} releases`);
  for (let i = 1; i < releases.length - 1; i++) {
    const interval = releases[i] - releases[i - 1];
    assert.ok(interval >= 1500 && interval <= 2500, `release interval ${interval} ms`);
  }
  const content = plan.events.filter((e) => e.content !== undefined);
  assert.equal(content.length, n, "one token per event: bursts are many events at once, not bigger events");
  content.forEach((e, i) => {
    const release = releases.find((r) => r >= times[i]);
    assert.equal(e.atMs, release, `token ${i} ready at ${times[i]} ms`);
  });
  assert.deepEqual(new Set(content.map((e) => e.atMs)).size, releases.length, "every release carries text");
  assert.deepEqual(plan.events.slice(0, 2).map((e) => e.atMs), [times[0], times[0]]);
  assert.deepEqual(Object.keys(parse(plan.events[0])), ["choices", "created", "id", "model", "object", "prompt_filter_results"]);
  const tail = plan.events.slice(-3);
  assert.equal(parse(tail[0]).choices[0].finish_reason, "stop");
  assert.deepEqual(tail.map((e) => e.atMs), [times[n - 1], times[n - 1] + 40, times[n - 1] + 40], "usage and [DONE] ~40 ms after the last burst");
  assert.equal(dataOf(tail[2]), "data: [DONE]\n\n");
});

test("asynchronous filter: content at its token's time; annotations after the text they cover, mid-stream and after the finish chunk", () => {
  const timing = mergeTiming({ firstTokenMs: 300, tokenMs: 20, jitter: 0.25, burstMs: 2000, seed: 3 });
  const plan = planCompletion({ messages: COUNT, stream: true, includeUsage: false }, "gpt-4o-mini", who, timing, [], "asynchronous");
  const n = plan.usage.completion_tokens;
  const times = tokenTimes(n, timing, KEY(COUNT));
  assert.deepEqual(plan.events.filter((e) => e.content !== undefined).map((e) => e.atMs), times);
  const chunks = plan.events.slice(0, -1).map(parse);
  const annotations = chunks.map((c, i) => ({ c, i })).filter(({ c }) => c.id === "" && c.choices.length === 1);
  assert.ok(annotations.length >= 3, `${annotations.length} annotations`);
  const finishAt = chunks.findIndex((c) => c.choices[0]?.finish_reason === "stop");
  assert.equal(annotations[annotations.length - 1].i, finishAt + 1, "the last annotation follows the finish chunk");
  assert.ok(annotations[0].i < finishAt, "an annotation mid-stream");
  const promptChars = COUNT[0].content.length;
  let sent = 0;
  let check = promptChars;
  chunks.forEach((c, i) => {
    const delta = c.choices[0]?.delta?.content;
    if (delta) sent += delta.length;
    const a = annotations.find((x) => x.i === i);
    if (!a) return;
    assert.deepEqual(c.choices[0].content_filter_offsets, { check_offset: check, end_offset: promptChars + sent, start_offset: promptChars });
    check = promptChars + sent;
  });
  assert.equal(sent, plan.text.length);
});

test("no filter: no prompt-filter chunk, no annotations, content at its token's time", () => {
  const timing = mergeTiming({ seed: 3 });
  const plan = planCompletion({ messages: COUNT, stream: true, includeUsage: false }, "gpt-4o-mini", who, timing, [], "none");
  const chunks = plan.events.slice(0, -1).map(parse);
  assert.ok(chunks.every((c) => c.id === who.id && !("prompt_filter_results" in c) && !("content_filter_results" in c.choices[0])));
  const times = tokenTimes(plan.usage.completion_tokens, timing, KEY(COUNT));
  assert.deepEqual(plan.events.filter((e) => e.content !== undefined).map((e) => e.atMs), times);
});

test("a completion stops at the model's maximum output tokens, whatever max_tokens asks", () => {
  const long = [{ role: "user", content: "Count to 10000, with a comma between each number." }];
  const timing = mergeTiming({ seed: 1 });
  const mini = planCompletion({ messages: long, stream: true, includeUsage: false, maxTokens: 100_000 }, "gpt-4o-mini", who, timing);
  assert.equal(mini.usage.completion_tokens, 16_384);
  assert.equal(mini.finishReason, "length");
  const turbo = planCompletion({ messages: long, stream: false, includeUsage: false }, "gpt-35-turbo", who, timing);
  assert.equal(turbo.usage.completion_tokens, 4_096);
});

test("events render when they are due: a content chunk is a function until then, and renders the same bytes every time", () => {
  const plan = planCompletion({ messages: COUNT, stream: true, includeUsage: true }, "gpt-4o-mini", who, mergeTiming({ seed: 2 }));
  const content = plan.events.filter((e) => e.content !== undefined);
  assert.ok(content.every((e) => typeof e.data === "function"), "no content chunk is rendered at planning time");
  assert.deepEqual(content.map(dataOf), content.map(dataOf));
  assert.deepEqual(content.map((e) => parse(e).choices[0].delta.content), content.map((e) => e.content));
});

test("zero latency stays instant with the default filter, whatever burstMs says", () => {
  const plan = planCompletion({ messages: COUNT, stream: true, includeUsage: true }, "gpt-4o-mini", who, mergeTiming({ firstTokenMs: 0, tokenMs: 0, jitter: 0 }));
  assert.deepEqual([...new Set(plan.events.map((e) => e.atMs))], [0]);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { planCompletion } from "../lib/local-lab/backend/plan";
import { mergeTiming, tokenTimes } from "../lib/local-lab/backend/timing";
import { TIME_MESSAGES } from "./fixtures/backend-helpers";

const who = { id: "chatcmpl-test", created: 1_700_000_000, model: "gpt-4o-mini-2024-07-18", systemFingerprint: "fp_0123456789" };
const request = { messages: TIME_MESSAGES, stream: true, includeUsage: true };

test("same request and seed: the same events at the same times", () => {
  const timing = mergeTiming({ seed: 7 });
  const a = planCompletion(request, "gpt-4o-mini", who, timing);
  assert.deepEqual(planCompletion(request, "gpt-4o-mini", who, timing), a);
  const b = planCompletion(request, "gpt-4o-mini", who, mergeTiming({ seed: 8 }));
  assert.deepEqual(b.events.map((e) => e.data), a.events.map((e) => e.data), "the seed moves times, not text");
  assert.notDeepEqual(b.events.map((e) => e.atMs), a.events.map((e) => e.atMs));
});

test("a burst is released when its last token is ready; the frame events sit at either end", () => {
  const timing = mergeTiming({ firstTokenMs: 300, tokenMs: 20, jitter: 0.25, tokensPerEvent: 3, seed: 3 });
  const plan = planCompletion(request, "gpt-4o-mini", who, timing);
  const n = plan.usage.completion_tokens;
  assert.ok(n >= 40 && n <= 100, `the simulated reply is ${n} tokens`);
  const times = tokenTimes(n, timing, "gpt-4o-mini\n" + JSON.stringify(request.messages));
  const content = plan.events.filter((e) => e.content !== undefined);
  assert.equal(content.length, Math.ceil(n / 3));
  content.forEach((e, i) => assert.equal(e.atMs, times[Math.min(3 * i + 2, n - 1)]));
  assert.equal(plan.events[0].atMs, times[0]);
  assert.equal(plan.events[1].atMs, times[0]);
  assert.deepEqual(plan.events.slice(-3).map((e) => e.atMs), [times[n - 1], times[n - 1], times[n - 1]]);
  assert.equal(plan.events[plan.events.length - 1].data, "data: [DONE]\n\n");
  assert.equal(plan.doneMs, times[n - 1]);
});

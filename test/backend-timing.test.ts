import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeTiming, parseTimingHeader, tokenTimes, ZERO_LATENCY, DEFAULT_TIMING } from "../lib/local-lab/backend/timing";

test("x-lab-timing: any subset of keys, in any order", () => {
  assert.deepEqual(parseTimingHeader("first-token=300; token=20; jitter=0.2; burst=1500; tokens-per-event=3; seed=7"), {
    firstTokenMs: 300,
    tokenMs: 20,
    jitter: 0.2,
    burstMs: 1500,
    tokensPerEvent: 3,
    seed: 7,
  });
  assert.deepEqual(parseTimingHeader(" seed=9;token=5 "), { seed: 9, tokenMs: 5 });
  const zero = { firstTokenMs: 0, tokenMs: 0, jitter: 0, burstMs: 0 };
  assert.deepEqual(parseTimingHeader("none"), zero);
  assert.deepEqual(parseTimingHeader("NONE"), zero);
  assert.deepEqual(parseTimingHeader("none; tokens-per-event=3"), { ...zero, tokensPerEvent: 3 });
});

test("x-lab-timing: unknown keys and bad values are errors, not silently ignored", () => {
  assert.throws(() => parseTimingHeader("first_token=300"), /unknown key "first_token"/);
  assert.throws(() => parseTimingHeader("token=fast"), /needs a number/);
  assert.throws(() => parseTimingHeader("jitter=1.5"), /jitter must be 0\.\.1/);
  assert.throws(() => parseTimingHeader("tokens-per-event=0"), /tokens-per-event/);
  assert.throws(() => parseTimingHeader("burst=-1"), /burst must be 0\.\.600000 ms/);
  assert.throws(() => parseTimingHeader("seed=1.5"), /seed/);
});

test("later layers win when merging timing", () => {
  const t = mergeTiming({ tokenMs: 50, seed: 3 }, { seed: 4 });
  assert.deepEqual(t, { ...DEFAULT_TIMING, tokenMs: 50, seed: 4 });
});

test("same seed and request: same delays; another seed: other delays", () => {
  const timing = mergeTiming({ seed: 7 });
  const a = tokenTimes(50, timing, "request");
  assert.deepEqual(tokenTimes(50, timing, "request"), a);
  assert.notDeepEqual(tokenTimes(50, mergeTiming({ seed: 8 }), "request"), a);
  assert.notDeepEqual(tokenTimes(50, timing, "another request"), a);
});

test("jitter stays within mean × (1 ± jitter); jitter 0 is exact", () => {
  const timing = mergeTiming({ firstTokenMs: 300, tokenMs: 20, jitter: 0.25 });
  const times = tokenTimes(200, timing);
  assert.ok(times[0] >= 225 && times[0] <= 375, `first token at ${times[0]}`);
  for (let i = 1; i < times.length; i++) {
    const gap = times[i] - times[i - 1];
    assert.ok(gap >= 15 - 1e-9 && gap <= 25 + 1e-9, `gap ${gap}`);
  }
  const exact = tokenTimes(5, mergeTiming({ firstTokenMs: 100, tokenMs: 10, jitter: 0 }));
  assert.deepEqual(exact, [100, 110, 120, 130, 140]);
  assert.deepEqual(tokenTimes(3, mergeTiming(ZERO_LATENCY)), [0, 0, 0]);
});

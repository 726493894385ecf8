import assert from "node:assert/strict";
import test from "node:test";
import type { EventKind, StreamRecord } from "../lib/stream/record";
import { BURST_GAP_MS, compareBursts, summarizeStream, summaryTable } from "../lib/stream/summary";

function record(label: string, contentTimes: number[]): StreamRecord {
  const ev = (ms: number, kind: EventKind) => ({ ms, kind, ...(kind === "content" ? { content: "x" } : {}) });
  const last = contentTimes[contentTimes.length - 1] ?? 0;
  return {
    label, headersMs: 400, endMs: last + 40, done: true,
    events: [ev(400, "prompt-filter"), ev(400, "role"), ...contentTimes.map((ms) => ev(ms, "content")), ev(last, "finish"), ev(last + 40, "done")],
  };
}

test("bursts: content chunks closer than BURST_GAP_MS are one burst; the longest silence is the longest wait between content chunks", () => {
  const burst = (at: number, n: number) => Array.from({ length: n }, (_, i) => at + i * 0.1);
  const filtered = summarizeStream(record("default filter", [...burst(2400, 100), ...burst(4500, 100), ...burst(4620, 10)]));
  assert.equal(filtered.bursts, 3);
  assert.ok(Math.abs(filtered.longestSilenceMs! - (4500 - 2409.9)) < 1e-6);
  const perToken = summarizeStream(record("asynchronous filter", Array.from({ length: 50 }, (_, i) => 500 + i * (BURST_GAP_MS + 10))));
  assert.equal(perToken.bursts, 50);
  assert.equal(perToken.longestSilenceMs, BURST_GAP_MS + 10);
  const none = summarizeStream(record("empty", []));
  assert.equal(none.bursts, 0);
  assert.equal(none.longestSilenceMs, undefined);

  const table = summaryTable([filtered, perToken]);
  assert.match(table, /content bursts \(< 10 ms apart\)\s*│\s*3\s*│\s*50/);
  assert.match(table, /longest silence between content\s*│\s*2090 ms\s*│\s*20 ms/);
  assert.equal(
    compareBursts([filtered, perToken, none]),
    "Content arrived as follows. default filter: 210 chunks in 3 bursts (longest silence 2090 ms); asynchronous filter: 50 chunks one by one; empty: no content.",
  );
});

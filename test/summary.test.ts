import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { compareFirstContent, nearestRank, summarizeStream, summaryTable, type StreamSummary } from "../lib/stream/summary";
import type { StreamRecord } from "../lib/stream/record";

const recorded: StreamRecord = JSON.parse(readFileSync(new URL("./fixtures/stream-recorded.json", import.meta.url), "utf8"));

/*
 * Expected figures, worked out by hand from the arrival times in
 * fixtures/stream-recorded.json (35 events):
 *   385.9 prompt-filter chunk, 540.0 role chunk (content ""),
 *   30 content chunks from 655.0 to 1760.8 in bursts, 1760.9 finish chunk,
 *   1843.2 usage chunk, 1843.2 [DONE]; headers at 385.2, end at 1843.9.
 * chunks = 35 - [DONE] = 34, content chunks = 30, first content = 655.0.
 * 34 chunks give 33 gaps; their sum telescopes to last - first chunk,
 *   so mean = (1843.2 - 385.9) / 33 = 1457.3 / 33 = 44.1606...
 * The two largest gaps are 1144.5 - 826.6 = 317.9 (a filter pause) and
 *   1598.9 - 1397.1 = 201.8; every other gap is below 160 (prompt -> role 154.1).
 * p95 by nearest rank: rank = ceil(0.95 * 33) = ceil(31.35) = 32, the 32nd of 33
 *   sorted gaps = the second largest = 201.8.
 */
const close = (actual: number | undefined, expected: number) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

test("summary figures of the recorded stream match the hand-computed ones", () => {
  const s = summarizeStream(recorded);
  assert.equal(s.label, "raw HTTP");
  close(s.headersMs, 385.2);
  close(s.firstContentMs, 655.0);
  close(s.totalMs, 1843.9);
  assert.equal(s.chunks, 34);
  assert.equal(s.contentChunks, 30);
  close(s.meanGapMs, 1457.3 / 33);
  close(s.p95GapMs, 201.8);
  assert.deepEqual(s.usage, { prompt_tokens: 23, completion_tokens: 30, total_tokens: 53 });
  assert.equal(s.complete, true);
});

test("a stream cut before [DONE] and without content is summarised as such", () => {
  const cut: StreamRecord = {
    label: "cut",
    headersMs: 10,
    events: [{ ms: 12, kind: "other", data: "{}" }],
    endMs: 20,
    done: false,
  };
  const s = summarizeStream(cut);
  assert.equal(s.firstContentMs, undefined);
  assert.equal(s.chunks, 1);
  assert.equal(s.meanGapMs, undefined);
  assert.equal(s.p95GapMs, undefined);
  assert.equal(s.complete, false);
  assert.match(summaryTable(s), /no, cut short/);
  assert.match(summaryTable(s), /not in stream/);
});

test("nearest rank picks a value that occurred", () => {
  assert.equal(nearestRank([5, 1, 4, 2, 3], 95), 5); // ceil(4.75) = 5th
  assert.equal(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95), 19); // ceil(19) = 19th
  assert.equal(nearestRank([7], 95), 7);
  assert.equal(nearestRank([], 95), undefined);
});

test("summary table shows every figure in the lab's ms format, one column per stream", () => {
  const s = summarizeStream(recorded);
  const text = summaryTable([s, { ...s, label: "buffered", firstContentMs: 1843.2 }]);
  // Whole ms, as everywhere in the lab: 385.2 -> 385, 1843.9 -> 1844, 44.16 -> 44, 201.8 -> 202.
  for (const cell of ["385 ms", "655 ms", "1844 ms", "34", "30", "44 ms", "202 ms", "23 + 30 = 53", "yes", "buffered", "1843 ms"]) {
    assert.ok(text.includes(cell), `missing ${cell}\n${text}`);
  }
  const header = text.split("\n")[1];
  assert.match(header, /raw HTTP.*buffered/);
  // No figure keeps a fraction.
  assert.ok(!/\d\.\d+ ms/.test(text), text);
});

test("the buffering sentence gives the measured difference", () => {
  const off: StreamSummary = { ...summarizeStream(recorded), label: "buffering off" };
  const on: StreamSummary = { ...off, label: "buffering on", firstContentMs: 1843.2 };
  assert.equal(
    compareFirstContent(off, on),
    // printed 1843 and 655, so 1188 later; 1843.2 / 655.0 = 2.81...
    "With buffering on, the first content arrived after 1843 ms instead of 655 ms (buffering off): 1188 ms later (2.8×).",
  );
  assert.match(compareFirstContent(on, off), /after 655 ms instead of 1843 ms \(buffering on\): 1188 ms earlier \(0\.4×\)\.$/);
  assert.match(compareFirstContent(off, { ...on, firstContentMs: undefined }), /No content arrived with buffering on/);
});

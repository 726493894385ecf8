import { test } from "node:test";
import assert from "node:assert/strict";
import { compareSequences, eventKey, gaps, pairedGapDifferences, percentile, spread } from "../tools/bench/stats";
import { classifyEvent } from "../lib/stream/events";

test("percentile is nearest-rank over unsorted values", () => {
  const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
  assert.equal(percentile(v, 50), 5);
  assert.equal(percentile(v, 99), 10);
  assert.equal(percentile(v, 0), 1);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(spread([3, 1, 2]), { n: 3, p50: 2, p99: 3, max: 3 });
});

test("event keys ignore ids and times", () => {
  const key = (data: string) => eventKey({ ms: 0, ...classifyEvent(undefined, data), data });
  const content = (id: string, text: string) => JSON.stringify({ id, created: 1, choices: [{ delta: { content: text }, finish_reason: null }] });
  assert.equal(key(content("a", "hi")), key(content("b", "hi")));
  assert.equal(key(content("a", "hi")), "content:hi");
  assert.notEqual(key(content("a", "hi")), key(content("a", "ho")));
  assert.equal(key("[DONE]"), "done");
  assert.equal(key(JSON.stringify({ choices: [], prompt_filter_results: [] })), "prompt-filter");
  assert.equal(key(JSON.stringify({ choices: [{ delta: { role: "assistant", content: "" } }] })), "role");
  assert.equal(key(JSON.stringify({ choices: [{ delta: {}, finish_reason: "length" }] })), "finish:length");
  assert.equal(key("{not json"), "malformed:{not json");
});

test("lost, duplicated and reordered events are told apart", () => {
  const e = ["p", "r", "1", ",", " 2", ",", "done"];
  assert.deepEqual(compareSequences(e, e), { lost: 0, duplicated: 0, reordered: 0 });
  assert.deepEqual(compareSequences(e, ["p", "r", "1", " 2", ",", "done"]), { lost: 1, duplicated: 0, reordered: 0 });
  assert.deepEqual(compareSequences(e, ["p", "r", "1", ",", ",", " 2", ",", "done"]), { lost: 0, duplicated: 1, reordered: 0 });
  // A swap puts both events out of place.
  assert.deepEqual(compareSequences(e, ["p", "r", " 2", ",", "1", ",", "done"]), { lost: 0, duplicated: 0, reordered: 2 });
  assert.deepEqual(compareSequences(e, ["p", "r", ",", "1", " 2", ",", "done"]), { lost: 0, duplicated: 0, reordered: 1 });
  assert.deepEqual(compareSequences(e, []), { lost: 7, duplicated: 0, reordered: 0 });
});

test("inter-chunk delay is paired event by event", () => {
  assert.deepEqual(gaps([0, 10, 30]), [10, 20]);
  assert.deepEqual(pairedGapDifferences([0, 10, 30], [1, 12, 31, 40]), [1, -1]);
});

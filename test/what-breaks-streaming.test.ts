// The "What breaks streaming" step's pure parts: a lane's measured sentence and a variant's change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeLane, policyChange } from "../lib/what-breaks-streaming";
import type { StreamRecord } from "../lib/stream/record";

/** A record with content events at the given times, then [DONE]. */
function record(times: number[], headersMs = 5): StreamRecord {
  const events = times.map((ms) => ({ ms, kind: "content", data: "{}", content: "x" }) as unknown as StreamRecord["events"][number]);
  const end = times[times.length - 1] ?? headersMs;
  return { label: "lane", headersMs, events: [...events, { ms: end, kind: "done", data: "[DONE]" } as unknown as StreamRecord["events"][number]], endMs: end, done: true };
}

test("a lane's sentence: relayed, in pieces, whole at the end, or refused before the stream", () => {
  const spread = Array.from({ length: 40 }, (_, i) => 300 + i * 20);
  assert.equal(describeLane({ record: record(spread), status: 200 }, null), "Relayed as it came: first content after 300 ms, 40 arrivals over 780 ms.");
  const pieces = spread.map((ms) => 600 + Math.floor((ms - 300) / 200) * 200);
  assert.equal(describeLane({ record: record(pieces), status: 200 }, null), "In 4 pieces (8 KB each but the last): first content after 600 ms.");
  // One write of the whole body, read in two parts 8 ms apart: still the whole body at the end.
  const whole = spread.map((_, i) => (i < 20 ? 1100 : 1108));
  assert.equal(describeLane({ record: record(whole), status: 200 }, null), "The whole body at the end: nothing for 1100 ms, then all 40 chunks within 8 ms.");
  assert.equal(describeLane({ record: record([], 12), status: 429 }, "57"), "429 after 12 ms, before any stream, Retry-After 57 s: the token budget was spent by an earlier call.");
});

test("a variant's change is the lines it has that policies/openai.xml has not, comments left out", () => {
  assert.equal(policyChange("variants/buffer-response-true.xml"), '<forward-request buffer-response="true" />');
  assert.equal(policyChange("openai.xml"), "(policies/openai.xml as it is)");
  assert.match(policyChange("variants/read-response-body.xml"), /^<set-body>@\(context\.Response\.Body\.As<string>\(preserveContent: true\)\)<\/set-body>$/);
});

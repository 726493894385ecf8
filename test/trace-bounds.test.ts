/**
 * Traces bounded in bytes: each value in a trace entry is cut to a documented size, the
 * store drops its oldest traces past a byte budget as well as past a count, and 200 traced
 * calls whose `stream` is a 1 MB deeply nested array leave the lab's memory within a bound.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startLocalLab } from "../lib/local-lab/index";
import { ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { boundedData, MAX_TRACE_DEPTH, MAX_TRACE_LIST_ITEMS, MAX_TRACE_VALUE_CHARS } from "../lib/local-lab/trace/bounds";
import { createTraceStore } from "../lib/local-lab/trace/store";
import { TEXT_LIMIT } from "../lib/local-lab/policy/expression/json-text";
import { createTraceRecorder } from "../lib/local-lab/trace/trace";
import type { TraceDocument } from "../lib/schema";
import { nestedStreamBody, printedLength, tracedCalls } from "../tools/abuse/traced";

test("each string in a trace entry is cut to 4096 characters, each list to 256 items, nesting to 8 levels", () => {
  const recorder = createTraceRecorder("s", "t");
  const long = "v".repeat(10_000);
  let deep: unknown = "bottom";
  for (let i = 0; i < 20; i++) deep = [deep];
  recorder.add("inbound", "x", { url: long, headers: Array.from({ length: 1000 }, (_, i) => ({ name: `h${i}`, value: "1" })), deep, small: "ok", n: 1 });
  const data = recorder.document().traceEntries.inbound![0].data as Record<string, any>;
  assert.equal(data.url, "v".repeat(MAX_TRACE_VALUE_CHARS) + "…[cut: 10000 chars]");
  assert.equal(data.headers.length, MAX_TRACE_LIST_ITEMS + 1);
  assert.equal(data.headers[MAX_TRACE_LIST_ITEMS], "…[cut: 1000 items]");
  assert.deepEqual(data.headers[0], { name: "h0", value: "1" });
  let level = data.deep;
  for (let i = 1; i < MAX_TRACE_DEPTH - 1; i++) level = level[0];
  assert.equal(level[0], "…[cut: nested]");
  assert.equal(data.small, "ok");
  assert.equal(data.n, 1);
  assert.deepEqual(boundedData({ a: [1, "b", null] }), { a: [1, "b", null] });
});

const doc = (traceId: string, bytes: number): TraceDocument => ({ serviceName: "s", traceId, traceEntries: { inbound: [{ source: "x", timestamp: "", elapsed: "", data: "d".repeat(bytes) }] } });

test("the trace store drops the oldest traces once its byte budget is passed, as well as past its count", () => {
  const size = Buffer.byteLength(JSON.stringify(doc("a", 1000)));
  const store = createTraceStore(100, size * 3);
  for (const id of ["a", "b", "c"]) store.put(doc(id, 1000));
  assert.equal(store.bytes(), size * 3);
  store.put(doc("d", 1000));
  assert.deepEqual(["a", "b", "c", "d"].map((id) => store.get(id) !== undefined), [false, true, true, true]);
  assert.equal(store.bytes(), size * 3);
  // One trace larger than the whole budget is not kept, and pushes the others out.
  store.put(doc("huge", size * 4));
  assert.equal(store.get("huge"), undefined);
  assert.equal(store.size(), 0);
  assert.equal(store.bytes(), 0);
  // The count still bounds too.
  const counted = createTraceStore(2);
  for (const id of ["a", "b", "c"]) counted.put(doc(id, 10));
  assert.deepEqual([counted.get("a"), counted.size()], [undefined, 2]);
});

/** The bound the test holds the lab to: RSS may grow by at most this over 200 such calls. */
const RSS_GROWTH_BOUND_MB = 200;

test(`200 traced calls with a 1 MB nested stream value: each trace stays small, and RSS grows by less than ${RSS_GROWTH_BOUND_MB} MB`, async () => {
  const lab = await startLocalLab({ timing: ZERO_LATENCY });
  try {
    const body = nestedStreamBody(1024 * 1024, 4000);
    // One call first: the first trace alone shows whether values are bounded.
    const first = await tracedCalls(lab, body, 1, 1);
    assert.equal(first.statuses.join(), "400", "the backend's 400 for a stream that is not a boolean, not the gateway's 500");
    assert.ok(first.lastTraceBytes < 64 * 1024, `a trace of ${first.lastTraceBytes} bytes`);
    // The policy's ToString() of the nested value: cut at TEXT_LIMIT characters and an ellipsis, not 32 MB.
    const printed = printedLength(first.streamVariable);
    assert.ok(printed > 0 && printed <= TEXT_LIMIT + 1, `the policy printed ${printed} characters of the stream value`);
    const before = process.memoryUsage().rss;
    const run = await tracedCalls(lab, body, 200, 10);
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    assert.deepEqual(new Set(run.statuses), new Set([400]));
    assert.ok(run.lastTraceBytes < 64 * 1024);
    assert.ok(grownMb < RSS_GROWTH_BOUND_MB, `RSS grew by ${grownMb.toFixed(0)} MB`);
    process.stdout.write(`# 200 traced calls with a 1 MB nested stream value: RSS ${(before / 1048576).toFixed(0)} MB -> ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB, ${run.ms.toFixed(0)} ms\n`);
  } finally {
    await lab.close();
  }
});

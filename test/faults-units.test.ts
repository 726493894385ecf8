/** The pure parts of fault injection and of the client's failure lines. */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import test from "node:test";
import { applyFault, parseFault } from "../lib/local-lab/backend/faults";
import { APIConnectionError, APIError, RateLimitError } from "openai";
import { describeError, HttpError, retryAfterSeconds } from "../lib/errors";
import { ManagementError } from "../lib/management";
import { registerSecret } from "../lib/report/mask";
import { streamOutcome, streamProblems } from "../lib/stream/outcome";
import type { StreamRecord } from "../lib/stream/record";

test("parseFault reads the grammar, in any case and order", () => {
  assert.deepEqual(parseFault("429"), { status: 429, retryAfterSeconds: 10 });
  assert.deepEqual(parseFault(" 429=3 "), { status: 429, retryAfterSeconds: 3 });
  assert.deepEqual(parseFault("503"), { status: 503 });
  assert.deepEqual(parseFault("Slow-First-Token=2000; drop-after=0"), { firstTokenMs: 2000, stream: { kind: "drop", after: 0 } });
  assert.deepEqual(parseFault("error-event-after=4"), { stream: { kind: "error-event", after: 4 } });
  assert.deepEqual(parseFault("malformed-after=1;"), { stream: { kind: "malformed", after: 1 } });
  assert.deepEqual(parseFault("none"), {});
  assert.deepEqual(parseFault(""), {});
  assert.throws(() => parseFault("slow-first-token=600001"), { message: 'x-lab-fault: "slow-first-token" needs a whole number from 0 to 600000, got "600001"' });
  assert.throws(() => parseFault("drop-after=1.5"), { message: 'x-lab-fault: "drop-after" needs a whole number from 0 to 100000, got "1.5"' });
});

const writes = [
  { atMs: 100, data: "data: A\n\n" },
  { atMs: 100, data: "data: B\n\n" },
  { atMs: 120, data: 'data: {"c":1}\n\n' },
  { atMs: 140, data: "data: [DONE]\n\n" },
];

test("applyFault: slow first token shifts the whole timeline", () => {
  assert.deepEqual(applyFault(writes, parseFault("slow-first-token=1000"), true).map((w) => w.atMs), [1000, 1000, 1020, 1040]);
});

test("applyFault: drop, error event and malformed take the place of event n; [DONE] only after malformed", () => {
  assert.deepEqual(applyFault(writes, parseFault("drop-after=2"), true), [writes[0], writes[1], { atMs: 120, data: "", cut: true }]);
  const err = applyFault(writes, parseFault("error-event-after=1"), true);
  assert.equal(err.length, 2);
  assert.match(err[1].data as string, /^data: \{"error":\{"code":"InternalServerError",/);
  const bad = applyFault(writes, parseFault("malformed-after=2"), true);
  assert.deepEqual(bad.map((w) => w.data), [writes[0].data, writes[1].data, 'data: {\n\n', "data: [DONE]\n\n"]);
  // A reply shorter than n: cut (or broken) just before [DONE].
  assert.deepEqual(applyFault(writes, parseFault("drop-after=99"), true).map((w) => !!w.cut), [false, false, false, true]);
  assert.equal(applyFault(writes, parseFault("malformed-after=99"), true).at(-1)?.data, "data: [DONE]\n\n");
  // Not streamed: stream faults do nothing.
  assert.deepEqual(applyFault(writes, parseFault("drop-after=1"), false), writes);
});

test("retryAfterSeconds: retry-after-ms, retry-after (seconds or date), then the message", () => {
  assert.equal(retryAfterSeconds({ "retry-after-ms": "1500", "retry-after": "9" }), 2);
  assert.equal(retryAfterSeconds(new Headers({ "Retry-After": "12" })), 12);
  assert.equal(retryAfterSeconds({ "retry-after": "Fri, 27 Nov 2026 10:00:30 GMT" }, undefined, Date.parse("Fri, 27 Nov 2026 10:00:00 GMT")), 30);
  assert.equal(retryAfterSeconds(undefined, "... Please retry after 6 seconds. ..."), 6);
  assert.equal(retryAfterSeconds({}, "Rate limit is exceeded. Try again in 1 seconds."), 1);
  assert.equal(retryAfterSeconds({}, "no hint"), undefined);
});

test("describeError: the lab's errors, plain errors and connection errors in one masked line", () => {
  registerSecret("sekret-value-123456");
  assert.equal(describeError(new ManagementError("TraceNotFound", "trace t not found: make the call again")), "ManagementError: trace t not found: make the call again");
  assert.equal(describeError(new Error("boom with sekret-value-123456\nat x")), "Error: boom with ***3456");
  const refused = new APIConnectionError({ cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
  assert.equal(describeError(refused), "APIConnectionError: Connection error. (ECONNREFUSED)");
  assert.equal(describeError("text"), "error: text");
  assert.equal(inspect(new ManagementError("NotSignedIn", "x")), "ManagementError: x");
});

test("streamProblems and streamOutcome read a record", () => {
  const record: StreamRecord = {
    label: "t", headersMs: 1, endMs: 5, done: false,
    events: [
      { ms: 1, kind: "prompt-filter", data: '{"choices":[],"prompt_filter_results":[]}' },
      { ms: 2, kind: "content", data: '{"choices":[{"delta":{"content":"a"}}]}', content: "a" },
      { ms: 3, kind: "malformed", data: "{nope" },
    ],
  };
  assert.deepEqual(streamProblems(record), { errorEvent: undefined, malformedEvents: 1, filterNotRun: undefined, filtered: false });
  assert.equal(streamOutcome({ record }), "✖ stream incomplete: 3 chunks kept (1 with content), 1 not valid JSON (kept as text), no [DONE]: the body ended without [DONE]");
  const done: StreamRecord = { ...record, done: true, events: [...record.events.slice(0, 2), { ms: 4, kind: "done", data: "[DONE]" }] };
  assert.equal(streamOutcome({ record: done }), "✔ stream complete: 2 chunks (1 with content), [DONE] seen");
});

test("streamOutcome: an error event says why; when nothing arrived, the error alone; comments are not chunks", () => {
  const record: StreamRecord = {
    label: "t", headersMs: 1, endMs: 5, done: false,
    events: [
      { ms: 1, kind: "comment", data: "keep-alive" },
      { ms: 2, kind: "content", content: "a" },
      { ms: 3, kind: "error", message: "InternalServerError: Sorry about that!" },
    ],
  };
  assert.deepEqual(streamProblems(record), { errorEvent: "InternalServerError: Sorry about that!", malformedEvents: 0, filterNotRun: "no prompt-filter chunk", filtered: false });
  assert.equal(streamOutcome({ record }), "✖ stream incomplete: 2 chunks kept (1 with content), no [DONE]: an error event in the stream: InternalServerError: Sorry about that!");
  const empty: StreamRecord = { label: "t", headersMs: 1, endMs: 2, done: false, events: [] };
  const body = JSON.stringify({ error: { code: "429", message: "Please retry after 7 seconds." } });
  assert.equal(streamOutcome({ record: empty, error: new HttpError(429, body, { "retry-after": "7" }) }), "✖ HTTP 429: 429: Please retry after 7 seconds. → retry in 7 s");
  assert.equal(streamOutcome({ record: empty }), "✖ no stream: the body ended without [DONE]");
});

test("an SDK error prints as its one line through util.inspect, as a failing cell shows it", () => {
  const limited = new RateLimitError(429, { code: "429", message: "Please retry after 7 seconds." }, undefined, new Headers({ "retry-after": "7" }));
  assert.equal(inspect(limited), "RateLimitError (HTTP 429): Please retry after 7 seconds. → retry in 7 s");
  assert.equal(inspect(new APIError(undefined, { message: "Sorry about that!" }, undefined, undefined)), "APIError (an error event in the stream): Sorry about that!");
});

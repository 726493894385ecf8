/** What the cells print for a response's headers, for an event as it arrives, and for how a stream ended. */
import assert from "node:assert/strict";
import test from "node:test";
import { inspect } from "node:util";
import { HttpError, ModelCallError } from "../lib/errors";
import { formatEvent } from "../lib/report/format";
import { showResponseHeaders, showStreamOutcome } from "../lib/report/show";
import type { StreamEvent, StreamRecord } from "../lib/stream/record";
import { printedLines } from "./fixtures/console";

const printed = (run: () => void): string => printedLines(run).join("\n");

test("a response's headers as the original lab prints them: trace id, the table, x-ms-region, x-ms-stream", () => {
  const headers = new Headers({ "Apim-Trace-Id": "0f8fad5b-d9cb-469f-a165-70867728950e", "x-ms-region": "Sweden Central", "x-ms-stream": "True", "api-key": "sk-secret-abcdef" });
  const text = printed(() => showResponseHeaders(headers));
  const lines = text.split("\n");
  assert.equal(lines[0], "Apim-Trace-Id: 0f8fad5b-d9cb-469f-a165-70867728950e");
  assert.match(text, /║ x-ms-region\s+│ Sweden Central\s+║/);
  assert.ok(!text.includes("sk-secret-abcdef"), "a key header is masked in the table");
  assert.deepEqual(lines.slice(-2), ["x-ms-region: Sweden Central", "x-ms-stream: True"]);
});

test("an event prints as it was sent: its fields, each data line, a comment", () => {
  assert.equal(formatEvent({ ms: 1, kind: "content", data: '{"a":\n1}', event: "chunk", id: "7" }), 'event: chunk\nid: 7\ndata: {"a":\ndata: 1}');
  assert.equal(formatEvent({ ms: 1, kind: "done", data: "[DONE]" }), "data: [DONE]");
  assert.equal(formatEvent({ ms: 1, kind: "comment", data: "keep-alive" }), ": keep-alive");
  assert.equal(formatEvent({ ms: 1, kind: "usage" }), "(usage)");
});

const content = (ms: number, text: string): StreamEvent => ({ ms, kind: "content", content: text, data: `{"choices":[{"delta":{"content":"${text}"}}]}` });
const record = (events: StreamEvent[], done: boolean): StreamRecord => ({ label: "t", headersMs: 5, events, endMs: 50, done });

test("a complete stream is shown in one line, and the cell goes on", () => {
  const text = printed(() => showStreamOutcome({ record: record([{ ms: 5, kind: "prompt-filter" }, content(10, "1"), content(20, "2"), { ms: 30, kind: "done", data: "[DONE]" }], true) }));
  assert.equal(text, "✔ stream complete: 3 chunks (2 with content), [DONE] seen");
});

test("a failed call stops the cell: one line, how the stream ended and what to do; nothing printed before it", () => {
  const notFound = new HttpError(404, JSON.stringify({ error: { code: "DeploymentNotFound", message: "The API deployment for this resource does not exist." } }));
  let text = "";
  assert.throws(
    () => (text = printed(() => showStreamOutcome({ record: record([], false), error: notFound }))),
    (error: unknown) => {
      assert.ok(error instanceof ModelCallError);
      assert.equal(
        error.message,
        "HTTP 404: DeploymentNotFound: The API deployment for this resource does not exist. (the run stops here: check the model deployment's name (openaiDeploymentName) and the gateway URL, then run the cell again)",
      );
      // What a kernel and the headless runner print for it: one line, no stack.
      assert.equal(inspect(error), `ModelCallError: ${error.message}`);
      return true;
    },
  );
  assert.equal(text, "");
  const cut = Object.assign(new TypeError("terminated"), { cause: { message: "other side closed" } });
  assert.throws(() => showStreamOutcome({ record: record([content(10, "1")], false), error: cut }), {
    name: "ModelCallError",
    message: "stream incomplete: 1 chunks kept (1 with content), no [DONE]: connection closed before the stream ended (TypeError: terminated: other side closed) (the run stops here: run the cell again)",
  });
  assert.throws(() => showStreamOutcome({ record: record([content(10, "1")], false) }), /^ModelCallError: stream incomplete: .*the body ended without \[DONE\] \(the run stops here: run the cell again\)$/);
});

test("where showing a failure is the point (the appendix), it is shown and the cell goes on", () => {
  const limited = new HttpError(429, JSON.stringify({ error: { code: "429", message: "Rate limit is exceeded. Try again in 7 seconds." } }));
  const text = printed(() => showStreamOutcome({ record: record([], false), error: limited }, { failureExpected: true }));
  assert.equal(text, "✖ HTTP 429: 429: Rate limit is exceeded. Try again in 7 seconds. → retry in 7 s");
});

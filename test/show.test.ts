/** What the cells print for a response's headers and for an event as it arrives. */
import assert from "node:assert/strict";
import test from "node:test";
import { formatEvent } from "../lib/report/format";
import { showResponseHeaders } from "../lib/report/show";

function printed(run: () => void): string {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    run();
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

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

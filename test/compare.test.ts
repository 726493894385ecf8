/** `npm run compare`: a recording beside the simulator's stream for the same request. */
import assert from "node:assert/strict";
import test from "node:test";
import { BURST_GAP_MS, comparison, compareRecordings, onlyIn, summarize, type Side } from "../tools/compare";

const sse = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const content = (text: string, extra: Record<string, unknown> = {}) => sse({ choices: [{ delta: { content: text }, index: 0 }], ...extra });

test("a stream's summary: reads, events, bursts split by silences of 100 ms or more, first content, every field path", () => {
  const side: Side = {
    status: 200,
    headersMs: 500,
    headers: { "x-ms-region": "Sweden Central", "x-lab-backend": "simulator", date: "now" },
    reads: [
      { ms: 501, bytes: Buffer.from(sse({ choices: [], prompt_filter_results: [{ prompt_index: 0 }] }) + content("")) },
      { ms: 900, bytes: Buffer.from(content("1", { obfuscation: "ab" }) + content(",").slice(0, 10)) },
      { ms: 902, bytes: Buffer.from(content(",").slice(10)) },
      { ms: 902 + BURST_GAP_MS, bytes: Buffer.from("data: [DONE]\n\n") },
    ],
    endMs: 1010,
  };
  const s = summarize(side);
  assert.equal(s.reads, 4);
  assert.equal(s.events, 5);
  assert.equal(s.bursts, 3, "501 | 900, 902 | 1002");
  assert.equal(s.longestSilenceMs, 399);
  assert.equal(s.firstContentMs, 900, "the empty role delta is not content");
  assert.deepEqual([...s.fields].sort(), ["choices", "choices[].delta", "choices[].delta.content", "choices[].index", "obfuscation", "prompt_filter_results", "prompt_filter_results[].prompt_index"]);
  assert.deepEqual([...s.headers], ["x-ms-region"], "the lab's own headers and the date are not compared");
});

test("the comparison is a table with both columns, then the fields and headers on one side only, a missing object named once", () => {
  const a = summarize({ status: 200, headersMs: 600, headers: { "x-ms-served-model": "m" }, reads: [{ ms: 700, bytes: Buffer.from(content("hi", { obfuscation: "x" })) }], endMs: 700 });
  const b = summarize({ status: 200, headersMs: 100, headers: { "cache-control": "no-cache" }, reads: [{ ms: 150, bytes: Buffer.from(sse({ choices: [{ delta: { content: "hi" }, index: 0, content_filter_results: { hate: { filtered: false } } }] })) }], endMs: 150 });
  assert.deepEqual(onlyIn(b.fields, a.fields), ["choices[].content_filter_results"]);
  const text = comparison("title", a, b);
  assert.match(text, /^title\n/);
  assert.match(text, /time to headers\s+│ 600 ms\s+│ 100 ms/);
  assert.match(text, /time to first content\s+│ 700 ms\s+│ 150 ms/);
  assert.match(text, /\nfields only in the recording: obfuscation\n/);
  assert.match(text, /\nfields only in the simulator: choices\[\]\.content_filter_results\n/);
  assert.match(text, /\nheaders only in the recording: x-ms-served-model\nheaders only in the simulator: cache-control$/);
});

test("a fixture recording beside the simulator: its own figures in the recording column, the simulator's stream for the same request beside it", async () => {
  const report = await compareRecordings("test/fixtures/recordings");
  assert.match(report, /^2026-01-01T00-00-00\.000Z-0001-gpt-4\.1-mini\.jsonl: gpt-4\.1-mini chat\/completions, streamed\n/);
  const row = (name: string) => new RegExp(`║ ${name.replace(/[()]/g, "\\$&")}\\s+│ (\\S+(?: ms)?)\\s+│ (\\S+(?: ms)?)\\s+║`).exec(report)?.slice(1);
  assert.deepEqual(row("status"), ["200", "200"]);
  assert.equal(row("time to headers")?.[0], "612 ms");
  assert.equal(row("time to first content")?.[0], "1172 ms");
  assert.equal(row("network reads")?.[0], "4");
  assert.equal(row("events")?.[0], "14");
  assert.equal(row(`bursts (reads ${BURST_GAP_MS} ms apart or more)`)?.[0], "2");
  assert.equal(row("longest silence")?.[0], "558 ms");
  assert.equal(row("end")?.[0], "1214 ms");
  // The simulator answered the same request: the count to 5, streamed.
  assert.ok(Number(row("events")?.[1]) >= 8, `simulator events: ${row("events")?.[1]}`);
  assert.match(report, /\nfields only in the recording: [^\n]+\nfields only in the simulator: [^\n]+\nheaders only in the recording: [^\n]+\nheaders only in the simulator: [^\n]+\n$/);
});

// The streamed steps' live view: short rows as events arrive, in one place in a kernel,
// the raw data: lines collapsed below at the end; rows printed in a terminal.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { afterEach, describe, it } from "node:test";
import { EVENT_ROW_WIDTH, eventRow } from "../lib/report/format";
import { LIVE_ROWS, liveEvents, liveHtml } from "../lib/report/live";
import type { StreamEvent } from "../lib/stream/record";
import { addedText } from "../tools/notebook/runner";
import { printedLines } from "./fixtures/console";

const tslab = createRequire(__filename)("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
afterEach(() => {
  tslab.lastWriteDisplayData = null;
});

const long = "x".repeat(400);
const data = (text: string) => JSON.stringify({ id: "chatcmpl-1", choices: [{ delta: { content: text }, index: 0 }], padding: long });
const content = (ms: number, text: string): StreamEvent => ({ ms, kind: "content", content: text, data: data(text), bytes: data(text).length });
const done: StreamEvent = { ms: 900, kind: "done", data: "[DONE]", bytes: 6 };
const stream = [...Array.from({ length: 30 }, (_, i) => content(10 + i, `${i + 1}, `)), done];


describe("eventRow", () => {
  it("shows time, kind, bytes and the delta's text, quoted", () => {
    assert.equal(eventRow({ ms: 1234.4, kind: "content", content: "Hello", bytes: 120 }), `  1234 ms  content         120 B  "Hello"`);
    assert.equal(eventRow({ ms: 5, kind: "usage", usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }), "     5 ms  usage                  tokens: 3 + 4 = 7");
    assert.equal(
      eventRow({ ms: 7, kind: "content", event: "response.output_text.delta", content: "1", bytes: 218 }),
      `     7 ms  output_text.delta   218 B  "1"`,
      "a named event goes by its name",
    );
  });

  it("cuts a long delta to at most 110 columns", () => {
    const row = eventRow({ ms: 1, kind: "content", content: "y".repeat(300), bytes: 400 });
    assert.equal(row.length, EVENT_ROW_WIDTH);
    assert.ok(row.endsWith("…"));
  });
});

describe("liveEvents", () => {
  it("prints one short row per event in a terminal, then the raw lines in full", () => {
    const lines = printedLines(() => {
      const live = liveEvents();
      for (const e of stream) live.add(e);
      live.end();
    });
    assert.match(lines[0], /^ +10 ms {2}content +\d+ B {2}"1, "$/);
    assert.equal(lines[30], "   900 ms  done              6 B  [DONE]");
    assert.ok(lines.slice(0, 31).every((l) => l.length <= EVENT_ROW_WIDTH));
    assert.ok(lines[31].includes(`data: ${data("1, ")}`));
    assert.ok(lines[31].endsWith("data: [DONE]"));
  });

  it("redraws one display in place in a kernel, a burst in one redraw, and ends with everything", () => {
    const sent: { data: Record<string, string>; id?: string; update: boolean }[] = [];
    tslab.lastWriteDisplayData = (m: { data: Record<string, string>; transient: { display_id?: string } }, update: boolean) => sent.push({ data: m.data, id: m.transient.display_id, update });
    const lines = printedLines(() => {
      const live = liveEvents();
      for (const e of stream) live.add(e); // all at once: a burst
      live.end();
    });
    assert.deepEqual(lines, []);
    assert.equal(sent.length, 2, "the first event, then the end: the burst between them is throttled");
    assert.deepEqual(sent.map((s) => s.update), [false, true]);
    assert.equal(sent[1].id, sent[0].id);
    const { "text/html": html, "text/plain": text } = sent[1].data;
    assert.match(html, /^<p>31 events, stream ended<\/p><pre>/);
    assert.match(html, /<details><summary[^>]*>▸ All 31 events, one row each<\/summary>/);
    assert.match(html, /<details><summary[^>]*>▸ The raw data: lines in full \([\d,]+ bytes\)<\/summary><pre>data: /);
    assert.ok(text.includes(`data: ${data("30, ")}`) && text.endsWith("data: [DONE]"), "the text fallback keeps the raw lines");
  });

  it("shows only the latest rows outside the disclosures", () => {
    const html = liveHtml(stream, true);
    const visible = html.replace(/<details>[\s\S]*?<\/details>/g, "");
    assert.equal((visible.match(/ ms {2}\w/g) ?? []).length, LIVE_ROWS);
    assert.match(visible, /\(21 earlier events, all of them below\)/);
    assert.ok(!liveHtml(stream, false).includes("<details>"), "no disclosure while the stream runs");
  });
});

describe("the headless runner's terminal", () => {
  it("prints what a redrawn display adds, or all of it when it changed", () => {
    assert.equal(addedText("a\nb", "a\nb\nc"), "c");
    assert.equal(addedText("a\nb", "x\ny"), "x\ny");
  });
});

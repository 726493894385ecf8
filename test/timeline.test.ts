import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { renderTimeline } from "../lib/report/timeline";
import type { StreamRecord } from "../lib/stream/record";

const recorded: StreamRecord = JSON.parse(readFileSync(new URL("./fixtures/stream-recorded.json", import.meta.url), "utf8"));

/** The buffered twin of the recorded stream: everything arrives at once near the end. */
const buffered: StreamRecord = {
  ...recorded,
  label: "buffering on",
  headersMs: 1850.3,
  endMs: 2412.7,
  events: recorded.events.map((e, i) => ({ ...e, ms: 2400 + i * 0.25 })),
};

/** Attributes of every element with the given tag, parsed from the SVG text. */
function elements(svg: string, tag: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const m of svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, "g"))) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    found.push(attrs);
  }
  return found;
}

function plot(svg: string): { left: number; scale: number; maxMs: number } {
  const g = elements(svg, "g").find((a) => a.class === "plot");
  assert.ok(g, "plot group");
  return { left: Number(g["data-left"]), scale: Number(g["data-scale"]), maxMs: Number(g["data-max-ms"]) };
}

/** The lane groups' inner text, in order. */
function lanes(svg: string): string[] {
  return [...svg.matchAll(/<g class="lane"[\s\S]*?(?=<g class="lane"|<\/g>\n<\/g>\n<g class="legend")/g)].map((m) => m[0]);
}

test("every arrival is drawn where its time says", () => {
  const svg = renderTimeline([recorded]);
  const { left, scale, maxMs } = plot(svg);
  assert.ok(maxMs >= recorded.endMs, "axis covers the stream");
  const arrivals = elements(svg, "line").filter((a) => a.class === "arrival");
  assert.equal(arrivals.length, recorded.events.length);
  arrivals.forEach((a, i) => {
    const ms = recorded.events[i].ms;
    assert.equal(Number(a["data-ms"]), ms);
    assert.equal(a.x1, a.x2);
    assert.ok(Math.abs(Number(a.x1) - (left + ms * scale)) <= 0.5, `event ${i} at ${ms} ms drawn at x=${a.x1}`);
  });
  // Kinds: 30 content chunks, prompt-filter + role + finish + usage = 4 other, one [DONE].
  assert.equal(arrivals.filter((a) => a["data-kind"] === "content").length, 30);
  assert.equal(arrivals.filter((a) => a["data-kind"] === "other").length, 4);
  assert.equal(arrivals.filter((a) => a["data-kind"] === "done").length, 1);
  // Content chunks are drawn differently from the others.
  const stroke = (kind: string) => arrivals.find((a) => a["data-kind"] === kind)!.stroke;
  assert.notEqual(stroke("content"), stroke("other"));
});

test("the axis is the scale the marks use: tick labels sit at left + ms * scale, and it spans the plot", () => {
  const svg = renderTimeline([recorded], { width: 760 });
  const { left, scale, maxMs } = plot(svg);
  const ticks = elements(svg, "line").filter((a) => a.class === "tick");
  assert.ok(ticks.length >= 4, "a handful of ticks");
  assert.equal(Number(ticks[0]["data-ms"]), 0);
  assert.equal(Number(ticks[0].x1), left);
  assert.equal(Number(ticks[ticks.length - 1]["data-ms"]), maxMs);
  for (const t of ticks) assert.ok(Math.abs(Number(t.x1) - (left + Number(t["data-ms"]) * scale)) <= 0.5);
  // The last tick is at the plot's right edge: 760 wide minus the margins (150 left, 28 right).
  assert.ok(Math.abs(Number(ticks[ticks.length - 1].x1) - (760 - 28)) <= 0.5);
  // The tick labels say the tick's ms.
  const labels = [...svg.matchAll(/<text[^>]*text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
  assert.deepEqual(labels, ticks.map((t) => Number(t["data-ms"])));
});

test("markers for headers, first content and end sit at their times", () => {
  const svg = renderTimeline([recorded]);
  const { left, scale } = plot(svg);
  const expected: Record<string, number> = { headers: 385.2, "first-content": 655.0, end: 1843.9 };
  const markers = [...svg.matchAll(/<g class="marker" data-marker="([\w-]+)" data-ms="([\d.]+)">[\s\S]*?<line x1="([\d.]+)" x2="([\d.]+)"/g)];
  assert.deepEqual(markers.map((m) => m[1]).sort(), Object.keys(expected).sort());
  for (const [, name, ms, x1, x2] of markers) {
    assert.equal(Number(ms), expected[name], name);
    assert.equal(x1, x2);
    assert.ok(Math.abs(Number(x1) - (left + expected[name] * scale)) <= 0.5, `${name} at x=${x1}`);
  }
});

test("two records give two lanes on one shared axis", () => {
  const svg = renderTimeline([recorded, buffered], { title: "What buffering does" });
  const { left, scale, maxMs } = plot(svg);
  assert.ok(maxMs >= buffered.endMs);
  const laneTexts = lanes(svg);
  assert.equal(laneTexts.length, 2);
  assert.match(laneTexts[0], /data-label="raw HTTP"/);
  assert.match(laneTexts[1], /data-label="buffering on"/);
  // Each lane holds its own record's arrivals, drawn on the shared scale, at the lane's height.
  const ys = laneTexts.map((lane, i) => {
    const rec = [recorded, buffered][i];
    const arrivals = elements(lane, "line").filter((a) => a.class === "arrival");
    assert.equal(arrivals.length, rec.events.length);
    arrivals.forEach((a, j) => assert.ok(Math.abs(Number(a.x1) - (left + rec.events[j].ms * scale)) <= 0.5));
    return Number(arrivals[0].y1);
  });
  assert.ok(ys[1] > ys[0], "second lane below the first");
  // First content markers: 655.0 in the first lane, 2400.5 (third event) in the second.
  assert.match(laneTexts[1], /data-marker="first-content" data-ms="2400.5"/);
  assert.match(svg, /What buffering does/);
});

test("labels and titles are escaped", () => {
  const nasty = { ...recorded, label: `<script>alert("x")</script> & 'co'` };
  const svg = renderTimeline([nasty], { title: "A <b>bold</b> & title" });
  assert.ok(!svg.includes("<script>"), "no raw tag from a label");
  assert.ok(!svg.includes("<b>"), "no raw tag from the title");
  assert.ok(svg.includes("A &lt;b&gt;bold&lt;/b&gt; &amp; title"));
  assert.ok(svg.includes("&lt;script&gt;alert(&quot;x&quot;)"));
  // Every & in the output starts an entity.
  assert.ok(!/&(?!amp;|lt;|gt;|quot;|apos;)/.test(svg));
});

test("the output is deterministic and self-contained", () => {
  const a = renderTimeline([recorded, buffered]);
  assert.equal(a, renderTimeline([recorded, buffered]));
  assert.match(a, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
  assert.ok(a.trimEnd().endsWith("</svg>"));
  // No ids: several charts live on one notebook page and ids would clash.
  assert.ok(!/\sid="/.test(a));
  // A legend names every kind of mark.
  for (const word of ["content chunk", "other event", "response headers", "first content", "end", "longest gap"]) {
    assert.ok(a.includes(`>${word}</text>`), word);
  }
});

test("a shared maxMs gives separate charts the same scale; no records still renders", () => {
  const a = plot(renderTimeline([recorded], { maxMs: 3000 }));
  const b = plot(renderTimeline([buffered], { maxMs: 3000 }));
  assert.equal(a.scale, b.scale);
  assert.equal(a.maxMs, 3000);
  assert.match(renderTimeline([]), /No streams to show/);
});

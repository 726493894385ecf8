/**
 * The arrival timeline of one or more streamed calls as an SVG string: one lane
 * per call on a shared millisecond axis, a tick per chunk where it arrived, and
 * markers for response headers, first content and end. Two lanes on one chart
 * is how the buffering step shows what buffering does.
 *
 * A pure function from records to text, built by hand: the picture is a few
 * dozen lines and rectangles, which no charting package would make shorter, and
 * hand-built output is deterministic and easy to check in a test.
 */
import { isChunk } from "../stream/events";
import type { StreamEvent, StreamRecord } from "../stream/record";
import { formatMs } from "./format";

export interface TimelineOptions {
  /** Chart title; default "Chunk arrivals". */
  title?: string;
  /** Total width in px; default 760 (fits a notebook cell). */
  width?: number;
  /** Axis end in ms, to give several charts the same scale; default: fitted to the data. */
  maxMs?: number;
}

/*
 * Colours. Notebook front ends show SVG on their own background, white or near
 * black. A transparent chart would need every colour to read on both, and the
 * mid-greys that do read on both read poorly on either. So the chart brings its
 * own light, rounded panel with a border: on a dark theme it shows as a light
 * card, like any embedded picture, and every colour below only has to contrast
 * with that panel.
 */
const COLOUR = {
  panel: "#f8fafc",
  panelBorder: "#94a3b8",
  text: "#1e293b",
  muted: "#475569",
  grid: "#e2e8f0",
  lane: "#e8edf3",
  axis: "#64748b",
  content: "#2563eb",
  other: "#64748b",
  headers: "#c2410c",
  firstContent: "#15803d",
  end: "#b91c1c",
  gap: "#fcd34d",
};

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

const LEFT = 150; // room for lane labels
const RIGHT = 28;
const TOP = 58;
const LANE = 74;

/** The lab's ms format without its column padding. */
function ms(value: number): string {
  return formatMs(value, 0);
}

/** Text from the data (labels, titles) may hold anything: escape it for XML. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Coordinates with two decimals: sub-pixel exact, and stable text for tests and diffs. */
function px(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** A round tick step (1, 2 or 5 times a power of ten) giving about six ticks. */
function tickStep(maxMs: number): number {
  const raw = maxMs / 6;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

/** The longest silence between consecutive chunks ([DONE] and comments excluded), if any. */
function longestGap(events: StreamEvent[]): { from: number; to: number } | undefined {
  const chunks = events.filter(isChunk);
  let best: { from: number; to: number } | undefined;
  for (let i = 1; i < chunks.length; i++) {
    const gap = chunks[i].ms - chunks[i - 1].ms;
    if (gap > 0 && (!best || gap > best.to - best.from)) best = { from: chunks[i - 1].ms, to: chunks[i].ms };
  }
  return best;
}

/**
 * Renders the timeline. Every arrival mark is a `<line class="arrival">` with
 * `data-ms` (the event's time as recorded) and `data-kind` (`content`, `other` or
 * `done`), drawn at x = left + ms * scale, where left and scale are given on the
 * plot group as `data-left` and `data-scale`. Markers are
 * `<g class="marker" data-marker="headers|first-content|end" data-ms>` around a
 * vertical line at their time.
 */
export function renderTimeline(records: StreamRecord[], options: TimelineOptions = {}): string {
  const width = Math.max(360, options.width ?? 760);
  const title = options.title ?? "Chunk arrivals";
  const plotWidth = width - LEFT - RIGHT;

  let dataMax = 0;
  for (const r of records) {
    dataMax = Math.max(dataMax, r.endMs, r.headersMs, ...r.events.map((e) => e.ms));
  }
  const wanted = options.maxMs && options.maxMs > 0 ? Math.max(options.maxMs, dataMax) : dataMax;
  const step = tickStep(wanted > 0 ? wanted : 1);
  const axisMax = Math.max(step, Math.ceil(wanted / step - 1e-9) * step);
  const scale = plotWidth / axisMax;
  const x = (ms: number) => LEFT + ms * scale;

  const lanesBottom = TOP + Math.max(1, records.length) * LANE;
  const axisY = lanesBottom + 4;
  // Legend: swatch then words, left to right, wrapping at the panel's edge. The
  // width is an estimate (no text measuring without a DOM; 6.2 px a character at
  // 11 px is generous).
  const legend: { label: string; swatch: (lx: number, ly: number) => string }[] = [
    { label: "content chunk", swatch: (lx, ly) => `<line x1="${lx + 5}" x2="${lx + 5}" y1="${ly - 9}" y2="${ly + 5}" stroke="${COLOUR.content}" stroke-width="1.5"/>` },
    { label: "other event", swatch: (lx, ly) => `<line x1="${lx + 5}" x2="${lx + 5}" y1="${ly - 6}" y2="${ly + 2}" stroke="${COLOUR.other}" stroke-width="1.5"/>` },
    { label: "response headers", swatch: (lx, ly) => `<path d="M${lx} ${ly - 8} L${lx + 10} ${ly - 8} L${lx + 5} ${ly} Z" fill="${COLOUR.headers}"/>` },
    { label: "first content", swatch: (lx, ly) => `<path d="M${lx} ${ly + 2} L${lx + 10} ${ly + 2} L${lx + 5} ${ly - 6} Z" fill="${COLOUR.firstContent}"/>` },
    { label: "end", swatch: (lx, ly) => `<line x1="${lx + 5}" x2="${lx + 5}" y1="${ly - 9}" y2="${ly + 5}" stroke="${COLOUR.end}" stroke-width="2.5"/>` },
    { label: "longest gap", swatch: (lx, ly) => `<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${COLOUR.gap}" fill-opacity="0.55"/>` },
  ];
  const legendItems: { label: string; swatch: (lx: number, ly: number) => string; lx: number; ly: number }[] = [];
  let lx = 20;
  let ly = axisY + 62;
  for (const item of legend) {
    const itemWidth = 16 + Math.ceil(item.label.length * 6.2);
    if (lx > 20 && lx + itemWidth > width - 20) {
      lx = 20;
      ly += 18;
    }
    legendItems.push({ ...item, lx, ly });
    lx += itemWidth + 18;
  }
  const height = ly + 22;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="${FONT}">`,
    `<title>${escapeXml(title)}: ${escapeXml(records.map((r) => r.label).join(", "))}</title>`,
    `<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="10" fill="${COLOUR.panel}" stroke="${COLOUR.panelBorder}"/>`,
    `<text x="${LEFT}" y="30" font-size="15" font-weight="600" fill="${COLOUR.text}">${escapeXml(title)}</text>`,
  );

  out.push(`<g class="plot" data-left="${LEFT}" data-scale="${scale}" data-max-ms="${axisMax}">`);

  // Grid and axis first, so marks draw over them.
  out.push(`<g class="axis" font-size="11" fill="${COLOUR.muted}">`);
  const decimals = step < 1 ? Math.ceil(-Math.log10(step)) : 0;
  for (let i = 0; i * step <= axisMax + 1e-9; i++) {
    const ms = i * step;
    const tx = px(x(ms));
    out.push(
      `<line class="grid" x1="${tx}" x2="${tx}" y1="${TOP - 8}" y2="${axisY}" stroke="${COLOUR.grid}"/>`,
      `<line class="tick" data-ms="${ms.toFixed(decimals)}" x1="${tx}" x2="${tx}" y1="${axisY}" y2="${axisY + 5}" stroke="${COLOUR.axis}"/>`,
      `<text x="${tx}" y="${axisY + 18}" text-anchor="middle">${ms.toFixed(decimals)}</text>`,
    );
  }
  out.push(
    `<line x1="${LEFT}" x2="${px(x(axisMax))}" y1="${axisY}" y2="${axisY}" stroke="${COLOUR.axis}"/>`,
    `<text x="${px(LEFT + plotWidth / 2)}" y="${axisY + 36}" text-anchor="middle">ms since the request was sent</text>`,
    `</g>`,
  );

  if (records.length === 0) {
    out.push(`<text x="${LEFT}" y="${TOP + 30}" font-size="12" fill="${COLOUR.muted}">No streams to show.</text>`);
  }

  records.forEach((r, i) => {
    const cy = TOP + i * LANE + 24;
    const chunks = r.events.filter(isChunk);
    const first = chunks.find((e) => e.kind === "content");
    const gap = longestGap(r.events);
    out.push(`<g class="lane" data-label="${escapeXml(r.label)}">`);
    out.push(`<title>${escapeXml(r.label)}</title>`);
    out.push(
      `<text x="${LEFT - 12}" y="${cy + 4}" text-anchor="end" font-size="12" font-weight="600" fill="${COLOUR.text}">${escapeXml(truncate(r.label, 20))}</text>`,
      `<rect x="${LEFT}" y="${cy - 14}" width="${px(plotWidth)}" height="28" fill="${COLOUR.lane}"/>`,
    );
    if (gap) {
      out.push(
        `<rect class="longest-gap" x="${px(x(gap.from))}" y="${cy - 14}" width="${px((gap.to - gap.from) * scale)}" height="28" fill="${COLOUR.gap}" fill-opacity="0.55"><title>longest gap between chunks: ${ms(gap.to - gap.from)}</title></rect>`,
      );
    }
    // The wait for headers as a dashed line, the open stream as a solid one.
    out.push(
      `<line x1="${LEFT}" x2="${px(x(r.headersMs))}" y1="${cy}" y2="${cy}" stroke="${COLOUR.other}" stroke-dasharray="3 3"/>`,
      `<line x1="${px(x(r.headersMs))}" x2="${px(x(r.endMs))}" y1="${cy}" y2="${cy}" stroke="${COLOUR.other}"/>`,
    );
    for (const e of r.events) {
      const kind = e.kind === "done" || e.kind === "content" ? e.kind : "other";
      const half = kind === "content" ? 12 : 7;
      const colour = kind === "content" ? COLOUR.content : COLOUR.other;
      const ex = px(x(e.ms));
      out.push(
        `<line class="arrival" data-kind="${kind}" data-ms="${e.ms}" x1="${ex}" x2="${ex}" y1="${cy - half}" y2="${cy + half}" stroke="${colour}" stroke-width="1.5"/>`,
      );
    }
    // Headers above the lane pointing down, first content below pointing up, so
    // the two never hide each other when they arrive together.
    const hx = x(r.headersMs);
    out.push(
      `<g class="marker" data-marker="headers" data-ms="${r.headersMs}"><title>response headers: ${ms(r.headersMs)}</title>`,
      `<line x1="${px(hx)}" x2="${px(hx)}" y1="${cy - 14}" y2="${cy + 14}" stroke="${COLOUR.headers}" stroke-width="1"/>`,
      `<path d="M${px(hx - 5)} ${cy - 23} L${px(hx + 5)} ${cy - 23} L${px(hx)} ${cy - 15} Z" fill="${COLOUR.headers}"/></g>`,
    );
    if (first) {
      const fx = x(first.ms);
      out.push(
        `<g class="marker" data-marker="first-content" data-ms="${first.ms}"><title>first content: ${ms(first.ms)}</title>`,
        `<line x1="${px(fx)}" x2="${px(fx)}" y1="${cy - 14}" y2="${cy + 14}" stroke="${COLOUR.firstContent}" stroke-width="1"/>`,
        `<path d="M${px(fx - 5)} ${cy + 23} L${px(fx + 5)} ${cy + 23} L${px(fx)} ${cy + 15} Z" fill="${COLOUR.firstContent}"/></g>`,
      );
    }
    const ex = x(r.endMs);
    out.push(
      `<g class="marker" data-marker="end" data-ms="${r.endMs}"><title>end${r.done ? "" : " (cut before [DONE])"}: ${ms(r.endMs)}</title>`,
      `<line x1="${px(ex)}" x2="${px(ex)}" y1="${cy - 17}" y2="${cy + 17}" stroke="${COLOUR.end}" stroke-width="2.5"/></g>`,
    );
    const notes = [
      `headers ${ms(r.headersMs)}`,
      `first content ${first ? ms(first.ms) : "none"}`,
      `end ${ms(r.endMs)}${r.done ? "" : " (cut)"}`,
      `${chunks.length} chunks`,
      // A gap under a millisecond is one network read split in two, not a pause.
      gap && gap.to - gap.from >= 1 ? `longest gap ${ms(gap.to - gap.from)}` : "",
    ].filter((n) => n);
    out.push(`<text x="${LEFT}" y="${cy + 36}" font-size="11" fill="${COLOUR.muted}">${escapeXml(notes.join(" · "))}</text>`);
    out.push(`</g>`);
  });
  out.push(`</g>`);

  out.push(`<g class="legend" font-size="11" fill="${COLOUR.text}">`);
  for (const item of legendItems) {
    out.push(item.swatch(item.lx, item.ly), `<text x="${item.lx + 16}" y="${item.ly}">${item.label}</text>`);
  }
  out.push(`</g>`, `</svg>`);
  return out.join("\n");
}

/**
 * The figures a person wants after a streamed call: how long until the headers,
 * until the first words, until the end; how many chunks; how evenly they came.
 * Pure functions over a `StreamRecord`, so the same figures come out of a live
 * call, a recorded fixture and a test.
 */
import { isChunk } from "./events";
import { usageOf, type StreamRecord, type TokenUsage } from "./record";
import { endMarker } from "./responses";
import { formatMs } from "../report/format";
import type { Table } from "../report/html";
import { tableText } from "../report/text-table";

export interface StreamSummary {
  label: string;
  /** Time to response headers (ms since the request was sent). */
  headersMs: number;
  /** Arrival of the first content event; undefined when none came. */
  firstContentMs: number | undefined;
  /** When the body ended (`record.endMs`). */
  totalMs: number;
  /** Data events, not counting `[DONE]` (nor comments). */
  chunks: number;
  /** Content events: chunks that carried text. */
  contentChunks: number;
  /** Mean gap between consecutive chunks; undefined with fewer than two chunks. */
  meanGapMs: number | undefined;
  /** 95th-percentile gap between consecutive chunks (nearest rank); undefined with fewer than two chunks. */
  p95GapMs: number | undefined;
  /**
   * Runs of content chunks that arrived together (each less than {@link BURST_GAP_MS}
   * after the previous): Azure's default filter releases its held text this way, the
   * asynchronous filter sends one chunk per run.
   */
  bursts: number;
  /** The longest wait between two content chunks; undefined with fewer than two. */
  longestSilenceMs: number | undefined;
  usage: TokenUsage | undefined;
  /** True when `[DONE]` arrived: the stream was not cut short. */
  complete: boolean;
  /** What ends a complete stream: `[DONE]`, or the Responses API's `response.completed`. */
  endMarker?: string;
}

/** The lab's one ms format (whole ms), or "-" when there is no such time. */
function ms(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : formatMs(value);
}

/**
 * Nearest-rank percentile: the smallest value such that at least p% of the
 * values are at or below it, i.e. sorted[ceil(p/100 * n) - 1]. Chosen over
 * interpolation because it always names a gap that really happened.
 */
export function nearestRank(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  // A typed array sorts numerically without a comparator: it matters for the benchmark's 100,000s of gaps.
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/**
 * Gaps are the differences between the arrival times of consecutive chunks
 * (data events other than `[DONE]`), so n chunks give n - 1 gaps. Events that
 * arrived in the same network read have a gap of 0: that is kept, because the
 * bursts are part of what a stream looks like (Azure's default content filter
 * releases text in bursts). `[DONE]` is left out: it is an end marker, not a
 * chunk, and usually shares a read with the usage chunk. So are comments (a
 * proxy's keep-alive): they carry nothing of the reply.
 */
/**
 * Content chunks closer than this belong to one burst. Per-token streams leave ~20 ms
 * between chunks; a released burst arrives within a few ms (recorded: 74 chunks in 6 ms).
 */
export const BURST_GAP_MS = 10;

export function summarizeStream(record: StreamRecord): StreamSummary {
  const chunks = record.events.filter(isChunk);
  const content = chunks.filter((e) => e.kind === "content");
  const gaps: number[] = [];
  for (let i = 1; i < chunks.length; i++) gaps.push(chunks[i].ms - chunks[i - 1].ms);
  let bursts = content.length > 0 ? 1 : 0;
  let longestSilenceMs: number | undefined;
  for (let i = 1; i < content.length; i++) {
    const gap = content[i].ms - content[i - 1].ms;
    if (gap >= BURST_GAP_MS) bursts++;
    if (longestSilenceMs === undefined || gap > longestSilenceMs) longestSilenceMs = gap;
  }
  return {
    label: record.label,
    headersMs: record.headersMs,
    firstContentMs: content.length > 0 ? content[0].ms : undefined,
    totalMs: record.endMs,
    chunks: chunks.length,
    contentChunks: content.length,
    meanGapMs: gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : undefined,
    p95GapMs: nearestRank(gaps, 95),
    bursts,
    longestSilenceMs,
    usage: usageOf(record),
    complete: record.done,
    endMarker: endMarker(record),
  };
}

function usageCell(usage: TokenUsage | undefined): string {
  if (!usage) return "not in stream";
  return `${usage.prompt_tokens} + ${usage.completion_tokens} = ${usage.total_tokens}`;
}

/**
 * One column per stream, one row per figure: two streams side by side is the
 * comparison the buffering step needs, and the table stays narrow enough for a
 * notebook cell however many figures there are.
 */
export function summaryTableOf(summaries: StreamSummary[] | StreamSummary): Table {
  const list = Array.isArray(summaries) ? summaries : [summaries];
  return {
    header: ["", ...list.map((s) => s.label)],
    rows: [
      ["time to headers", ...list.map((s) => ms(s.headersMs))],
      ["time to first content", ...list.map((s) => ms(s.firstContentMs))],
      ["total time", ...list.map((s) => ms(s.totalMs))],
      ["chunks", ...list.map((s) => String(s.chunks).padStart(6))],
      ["content chunks", ...list.map((s) => String(s.contentChunks).padStart(6))],
      ["mean gap between chunks", ...list.map((s) => ms(s.meanGapMs))],
      ["p95 gap between chunks", ...list.map((s) => ms(s.p95GapMs))],
      [`content bursts (< ${BURST_GAP_MS} ms apart)`, ...list.map((s) => String(s.bursts).padStart(6))],
      ["longest silence between content", ...list.map((s) => ms(s.longestSilenceMs))],
      ["tokens (prompt + completion = total)", ...list.map((s) => usageCell(s.usage))],
      [`complete (${[...new Set(list.map((s) => s.endMarker ?? "[DONE]"))].join(" or ")} seen)`, ...list.map((s) => (s.complete ? "yes" : "no, cut short"))],
    ],
  };
}

/** The summary as a text table (`summaryTableOf`). */
export function summaryTable(summaries: StreamSummary[] | StreamSummary): string {
  return tableText(summaryTableOf(summaries));
}

/**
 * The one sentence of the buffering step, figures from the data: how much later
 * (or earlier) the first content came in `after` than in `before`.
 */
export function compareFirstContent(before: StreamSummary, after: StreamSummary): string {
  const a = after.firstContentMs;
  const b = before.firstContentMs;
  if (a === undefined || b === undefined) {
    const missing = [after, before].filter((s) => s.firstContentMs === undefined).map((s) => s.label);
    return `No content arrived with ${missing.join(" or ")}, so the time to first content cannot be compared.`;
  }
  // The difference of the printed (rounded) figures, so the sentence adds up for its reader.
  const diff = Math.round(a) - Math.round(b);
  const ratio = b > 0 ? ` (${(Math.round((a / b) * 10) / 10).toFixed(1)}×)` : "";
  const how = diff === 0 ? "no difference" : diff > 0 ? `${diff} ms later${ratio}` : `${-diff} ms earlier${ratio}`;
  return `With ${after.label}, the first content arrived after ${Math.round(a)} ms instead of ${Math.round(b)} ms (${before.label}): ${how}.`;
}

/**
 * The one sentence of the bursts step, figures from the data: how many bursts each
 * stream's content came in, and the longest silence where there was more than one.
 */
export function compareBursts(summaries: StreamSummary[]): string {
  const parts = summaries.map((s) => {
    if (s.contentChunks === 0) return `${s.label}: no content`;
    if (s.bursts === s.contentChunks) return `${s.label}: ${s.contentChunks} chunks one by one`;
    const silence = s.bursts > 1 ? ` (longest silence ${Math.round(s.longestSilenceMs ?? 0)} ms)` : "";
    return `${s.label}: ${s.contentChunks} chunks in ${s.bursts} burst${s.bursts === 1 ? "" : "s"}${silence}`;
  });
  return `Content arrived as follows. ${parts.join("; ")}.`;
}

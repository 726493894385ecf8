/**
 * The benchmark's arithmetic, pure so it can be tested without a server: percentiles,
 * splitting a recorded stream into its events with their arrival times, a stream's
 * content sequence, the comparison of a relayed sequence with the direct one (lost,
 * duplicated, reordered events), and the paired difference of inter-chunk gaps.
 */
import { StringDecoder } from "node:string_decoder";
import { nearestRank } from "../lib/stream/summary";

/** Nearest-rank percentile (p in 0..100) of unsorted values, as the lab's summaries compute it; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  return nearestRank(values, p) ?? NaN;
}

export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  let max = values.length > 0 ? -Infinity : NaN;
  for (const v of values) if (v > max) max = v;
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max };
}

export interface ArrivedEvent {
  /** The event's `data:` field (lines joined by "\n"). */
  data: string;
  /** When the network read holding the event's last byte arrived. */
  at: number;
}

/**
 * Splits recorded reads into server-sent events. An event belongs to the read that
 * completed it, so an event split across reads is timed by its last piece. Accepts
 * `\n`, `\r\n` and `\r` line ends and UTF-8 split at any byte, as a real client must.
 */
export function eventsFromReads(reads: readonly Uint8Array[], times: readonly number[]): ArrivedEvent[] {
  const decoder = new StringDecoder("utf8");
  const out: ArrivedEvent[] = [];
  let pending = "";
  let data: string[] = [];
  for (let r = 0; r < reads.length; r++) {
    pending += decoder.write(Buffer.from(reads[r].buffer, reads[r].byteOffset, reads[r].byteLength));
    let start = 0;
    for (;;) {
      const nl = nextLineEnd(pending, start);
      if (nl === undefined) break;
      const line = pending.slice(start, nl.at);
      start = nl.next;
      if (line === "") {
        if (data.length > 0) out.push({ data: data.join("\n"), at: times[r] });
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line[5] === " " ? 6 : 5));
      }
    }
    pending = pending.slice(start);
  }
  return out;
}

function nextLineEnd(text: string, from: number): { at: number; next: number } | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return { at: i, next: i + 1 };
    if (c === 13) {
      // A lone \r at the end may still be followed by \n in the next read.
      if (i + 1 === text.length) return undefined;
      return { at: i, next: text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1 };
    }
  }
  return undefined;
}

/**
 * What identifies a chat-completion event regardless of its completion id and time:
 * the prompt filter's verdict, the role, a content delta, the finish reason, usage, or
 * the closing `[DONE]`. Two runs of the same seeded request give the same sequence.
 */
export function eventKey(data: string): string {
  if (data === "[DONE]") return "done";
  let chunk: any;
  try {
    chunk = JSON.parse(data);
  } catch {
    return "unparsable:" + data.slice(0, 40);
  }
  if (chunk.prompt_filter_results) return "prompt-filter";
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  if (choice === undefined) return chunk.usage ? "usage" : "other";
  if (choice.finish_reason) return "finish:" + choice.finish_reason;
  if (choice.delta && choice.delta.role) return "role:" + choice.delta.role;
  if (choice.delta && typeof choice.delta.content === "string") return "content:" + choice.delta.content;
  return "other";
}

/** True for an event that carries model text (the role chunk's empty content does not count). */
export function isContentKey(key: string): boolean {
  return key.startsWith("content:") && key.length > "content:".length;
}

export interface SequenceCheck {
  /** Expected events missing from the actual sequence. */
  lost: number;
  /** Events present more often than expected. */
  duplicated: number;
  /** Events present as often as expected but out of place. */
  reordered: number;
}

/**
 * Compares a relayed sequence with the direct one. Counts come from the multiset
 * difference (lost, duplicated) and from the longest common subsequence (what is left
 * over among the events both hold is out of order). Quadratic, fine for streams of a
 * few hundred events.
 */
export function compareSequences(expected: readonly string[], actual: readonly string[]): SequenceCheck {
  if (expected.length === actual.length && expected.every((e, i) => e === actual[i])) return { lost: 0, duplicated: 0, reordered: 0 };
  const counts = new Map<string, number>();
  for (const e of expected) counts.set(e, (counts.get(e) ?? 0) + 1);
  for (const a of actual) counts.set(a, (counts.get(a) ?? 0) - 1);
  let lost = 0;
  let duplicated = 0;
  for (const c of counts.values()) {
    if (c > 0) lost += c;
    else duplicated -= c;
  }
  const common = expected.length - lost;
  return { lost, duplicated, reordered: Math.max(0, common - lcsLength(expected, actual)) };
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      row[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    }
    [prev, row] = [row, prev];
  }
  return prev[b.length];
}

/** Time between consecutive events. */
export function gaps(times: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(times[i] - times[i - 1]);
  return out;
}

/**
 * Added inter-chunk delay of one stream: the relayed gap minus the direct gap for the
 * same event of the same seeded request (the backend plans the same schedule for both).
 * Only pairs up to the shorter of the two; a mismatch is reported by compareSequences.
 */
export function pairedGapDifferences(directTimes: readonly number[], relayedTimes: readonly number[]): number[] {
  const d = gaps(directTimes);
  const r = gaps(relayedTimes);
  const n = Math.min(d.length, r.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r[i] - d[i]);
  return out;
}

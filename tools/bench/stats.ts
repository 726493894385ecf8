/**
 * The benchmark's arithmetic, pure so it can be tested without a server: percentiles,
 * a stream's event sequence (its events are read by lib/stream/sse.ts, as the notebook
 * reads them), the comparison of a relayed sequence with the direct one (lost,
 * duplicated, reordered events), and the paired difference of inter-chunk gaps.
 */
import type { StreamEvent } from "../../lib/stream/record";
import { nearestRank } from "../../lib/stream/summary";

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

/**
 * What identifies a chat-completion event regardless of its completion id and time: its
 * kind, with the text of a content delta and the reason of a finish. Two runs of the same
 * seeded request give the same sequence.
 */
export function eventKey(event: StreamEvent): string {
  if (event.kind === "content") return `content:${event.content}`;
  if (event.kind === "finish") return `finish:${event.finishReason}`;
  if (event.kind === "malformed") return `malformed:${(event.data ?? "").slice(0, 40)}`;
  return event.kind;
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

/**
 * What the benchmark measures: its cells (latency model × concurrency, with their sizes in
 * quick and full mode) and the targets its figures are held against.
 */
export type Latency = "zero" | "default";

export interface Scenario {
  latency: Latency;
  concurrency: number;
  requests: number;
  maxTokens: number;
  /** Tokens in each content event (`x-lab-timing: tokens-per-event`); 1 is the backend's default. */
  tokensPerEvent: number;
  /** Open every connection before measuring (see warmUp in client.ts). */
  warm: boolean;
}

/** Targets from issue 8, as differences gateway − direct in the same run. */
/** ttfcVsFloor: the gateway's added time to first content (p50) over the bare proxy's, same run. */
export const TARGETS = { ttfcP50Ms: 0.5, ttfcP99Ms: 2, ttfcVsFloor: 1.5, interChunkP99Ms: 10, totalMemoryMB: 200 };

type Size = [requests: number, maxTokens: number, warm: boolean];

/**
 * The cells, each with its quick and its full size. Full sizes keep the run under two
 * minutes on 2 cores. Default-latency streams are short (max_tokens): their length is the
 * timing model's, ~20 ms a token after ~350 ms, so more tokens only lengthen the run, not
 * the sample. Quick mode (30 s budget): a concurrency needs as many streams as it has, so
 * the 1,000-stream cells keep 1,000 and shorten them instead; 150 streams still give a
 * p99. Their warm-up (2,000 connections, ~5.5 s a cell) is skipped: with a listen backlog
 * of 4096 a burst of connects is not dropped, and both paths pay for opening them alike.
 */
const CELLS: { latency: Latency; concurrency: number; quick: Size; full: Size }[] = [
  { latency: "zero", concurrency: 1, quick: [150, 20, true], full: [1000, 20, true] },
  { latency: "zero", concurrency: 100, quick: [200, 10, true], full: [2000, 20, true] },
  { latency: "zero", concurrency: 1000, quick: [1000, 6, false], full: [2000, 20, true] },
  { latency: "default", concurrency: 1, quick: [2, 6, true], full: [15, 10, true] },
  { latency: "default", concurrency: 100, quick: [100, 6, true], full: [300, 30, true] },
  { latency: "default", concurrency: 1000, quick: [1000, 4, false], full: [2000, 20, true] },
];

/** A cell's name for `--only`: `<latency>-<concurrency>`. */
export function cellName(cell: { latency: Latency; concurrency: number }): string {
  return `${cell.latency}-${cell.concurrency}`;
}

export const CELL_NAMES = CELLS.map(cellName);

/** The cells to run, in order; `only` names a subset (every name must be one of CELL_NAMES). */
export function scenarios(quick: boolean, tokensPerEvent: number, only?: readonly string[]): Scenario[] {
  // max_tokens stays as it is: a burst changes how many events carry the same tokens
  // over the same time (as Azure's content filter does), not how long a stream lasts.
  return CELLS.filter((c) => !only || only.includes(cellName(c))).map((c) => {
    const [requests, maxTokens, warm] = quick ? c.quick : c.full;
    return { latency: c.latency, concurrency: c.concurrency, requests, maxTokens, warm, tokensPerEvent };
  });
}

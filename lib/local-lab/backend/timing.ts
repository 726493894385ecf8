/**
 * The timing model: a time to first token, then one inter-token delay per token,
 * each a mean with jitter drawn from a seeded PRNG. Pure: the server only turns the
 * planned times into timers.
 */
import type { TimingOptions } from "./types";

/**
 * Close to a real deployment: recorded Azure streams sent their first bytes 406–803 ms
 * after the request (FIELD-NOTES §8); ~20 ms per token; bursts ~2 s apart.
 */
export const DEFAULT_TIMING: TimingOptions = {
  firstTokenMs: 500,
  tokenMs: 20,
  jitter: 0.25,
  tokensPerEvent: 1,
  burstMs: 2000,
  seed: 1,
};

/** For tests: every event is due at once (still one write per event). */
export const ZERO_LATENCY: Partial<TimingOptions> = { firstTokenMs: 0, tokenMs: 0, jitter: 0, burstMs: 0 };

/** The per-request header that overrides the lab's timing. */
export const TIMING_HEADER = "x-lab-timing";

const HEADER_KEYS: Record<string, keyof TimingOptions> = {
  "first-token": "firstTokenMs",
  token: "tokenMs",
  jitter: "jitter",
  "tokens-per-event": "tokensPerEvent",
  burst: "burstMs",
  seed: "seed",
};

/**
 * Reads `first-token=300; token=20; jitter=0.2; burst=2000; tokens-per-event=1; seed=7` (any
 * subset, any order); `none` means zero latency and may be combined (`none; seed=7`). Throws a readable Error on anything
 * else, so a typo in a notebook cell is reported instead of silently ignored.
 */
export function parseTimingHeader(value: string): Partial<TimingOptions> {
  const text = value.trim();
  const out: Partial<TimingOptions> = {};
  for (const part of text.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key === "none" && eq < 0) {
      // "none; tokens-per-event=3": zero latency, then the rest on top.
      Object.assign(out, ZERO_LATENCY);
      continue;
    }
    const field = HEADER_KEYS[key];
    if (!field) {
      throw new Error(`unknown key "${key}" in ${TIMING_HEADER}; expected ${Object.keys(HEADER_KEYS).join(", ")} or "none"`);
    }
    const raw = eq < 0 ? "" : part.slice(eq + 1).trim();
    const n = Number(raw);
    if (raw === "" || !Number.isFinite(n)) throw new Error(`${TIMING_HEADER}: "${key}" needs a number, got "${raw}"`);
    out[field] = n;
  }
  validateTiming(out);
  return out;
}

/** Throws when a value is out of range; used for lab options and the header alike. */
export function validateTiming(t: Partial<TimingOptions>): void {
  const bad = (what: string) => {
    throw new Error(`timing: ${what}`);
  };
  if (t.firstTokenMs !== undefined && !(t.firstTokenMs >= 0 && t.firstTokenMs <= 600_000)) bad("first-token must be 0..600000 ms");
  if (t.tokenMs !== undefined && !(t.tokenMs >= 0 && t.tokenMs <= 60_000)) bad("token must be 0..60000 ms");
  if (t.jitter !== undefined && !(t.jitter >= 0 && t.jitter <= 1)) bad("jitter must be 0..1");
  if (t.burstMs !== undefined && !(t.burstMs >= 0 && t.burstMs <= 600_000)) bad("burst must be 0..600000 ms");
  if (t.tokensPerEvent !== undefined && !(Number.isInteger(t.tokensPerEvent) && t.tokensPerEvent >= 1)) bad("tokens-per-event must be an integer >= 1");
  if (t.seed !== undefined && !Number.isInteger(t.seed)) bad("seed must be an integer");
}

/** Later layers win: defaults, then the lab's options, then the request's header. */
export function mergeTiming(...layers: Array<Partial<TimingOptions> | undefined>): TimingOptions {
  const out: TimingOptions = { ...DEFAULT_TIMING };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(layer) as Array<keyof TimingOptions>) {
      const v = layer[key];
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

/** mulberry32: tiny, fast, and good enough for jitter; the point is reproducibility. */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to mix a request into the seed: different prompts get different (but fixed) delays. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * When each token is ready, in ms after the request: the first at the time to first
 * token, each later one an inter-token delay after the previous.
 */
export function tokenTimes(tokenCount: number, timing: TimingOptions, requestKey = ""): number[] {
  const random = createPrng((timing.seed ^ hashString(requestKey)) >>> 0);
  const draw = (mean: number) => Math.max(0, mean * (1 + timing.jitter * (2 * random() - 1)));
  const times: number[] = [];
  let t = draw(timing.firstTokenMs);
  for (let i = 0; i < tokenCount; i++) {
    if (i > 0) t += draw(timing.tokenMs);
    times.push(t);
  }
  return times;
}

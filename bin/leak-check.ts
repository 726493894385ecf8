/**
 * `npm run leak-check`: streams aborted at random points through the local lab's
 * gateway, many in a row, then what is left: timers and handles in the process,
 * connections on the three servers, generations at the backend, heap after a forced GC.
 *
 *   npm run leak-check -- [--count 1000] [--concurrency 25] [--seed 7]
 *
 * Run with --expose-gc (the npm script does) for heap figures that mean something.
 */
import { request, type IncomingMessage } from "node:http";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";

/** Handles and timers by type, from process.getActiveResourcesInfo(). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Types whose count grew from `before` to `after`, with the growth. */
export function grown(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, n] of Object.entries(after)) if (n > (before[type] ?? 0)) out[type] = n - (before[type] ?? 0);
  return out;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface AbortRun {
  /** Aborted before the response headers came. */
  beforeHeaders: number;
  /** Aborted after some chunks. */
  midStream: number;
  /** The stream ended before the chosen point (a short reply): not aborted. */
  finished: number;
}

/**
 * `count` streamed calls through the gateway, each aborted at a random point: before
 * the headers (1 in 10) or after 0..`maxChunks` body chunks. Its own connection each
 * (no client keep-alive), so a socket left open is the lab's, not the client pool's.
 */
export async function abortStreams(lab: LocalLab, count: number, options: { concurrency?: number; seed?: number; maxChunks?: number } = {}): Promise<AbortRun> {
  const random = prng(options.seed ?? 7);
  const concurrency = options.concurrency ?? 25;
  const maxChunks = options.maxChunks ?? 60;
  const url = new URL(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`);
  const body = JSON.stringify({ messages: [{ role: "user", content: "Count to 100, with a comma between each number." }], stream: true });
  const run: AbortRun = { beforeHeaders: 0, midStream: 0, finished: 0 };

  const one = (early: boolean, after: number, delayMs: number) =>
    new Promise<void>((resolve) => {
      const req = request(url, {
        method: "POST",
        agent: false,
        headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-lab-timing": "first-token=5; token=1; jitter=0" },
      });
      req.on("error", () => undefined);
      req.on("close", () => resolve());
      if (early) {
        run.beforeHeaders++;
        setTimeout(() => req.destroy(), delayMs);
      }
      req.on("response", (res: IncomingMessage) => {
        // Events, not reads: on a busy machine one read holds many events, and counting
        // reads let most streams finish before their abort point (34 of 100 mid-stream).
        let events = 0;
        res.on("error", () => undefined);
        res.on("data", (chunk: Buffer) => {
          if (events >= after) return;
          for (let i = chunk.indexOf("\n\n"); i >= 0; i = chunk.indexOf("\n\n", i + 2)) events++;
          if (events >= after) {
            run.midStream++;
            req.destroy();
          }
        });
        res.on("end", () => {
          if (events < after) run.finished++;
        });
      });
      req.end(body);
    });

  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const early = random() < 0.1;
      await one(early, 1 + Math.floor(random() * maxChunks), Math.floor(random() * 3));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return run;
}

/** Waits (bounded) until `done()` holds; returns whether it did. */
export async function settle(done: () => boolean, limitMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer`);
    return n;
  };
  const count = flag("count", 1000);
  const concurrency = flag("concurrency", 25);
  const seed = flag("seed", 7);
  const hasGc = typeof (globalThis as { gc?: unknown }).gc === "function";

  const lab = await startLocalLab();
  // One finished call first, so lazily created things (agents, parsers, tokenizer) exist before the baseline.
  await abortStreams(lab, 5, { concurrency: 1, seed: 1, maxChunks: 100_000 });
  await settle(() => lab.activeBackendStreams() === 0);
  await new Promise((r) => setTimeout(r, 200));
  const before = activeResources();
  const heapBefore = heapMb();

  const started = performance.now();
  const run = await abortStreams(lab, count, { concurrency, seed });
  const seconds = (performance.now() - started) / 1000;
  const streamsSettled = await settle(() => lab.activeBackendStreams() === 0);
  const handlesSettled = await settle(() => Object.keys(grown(before, activeResources())).length === 0);
  const after = activeResources();
  const heapAfter = heapMb();
  await lab.close();

  const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
  process.stdout.write(
    [
      `leak check: ${count} streams through the gateway, aborted at random points (${concurrency} at a time, seed ${seed})`,
      `  aborted        ${run.beforeHeaders} before the headers, ${run.midStream} mid-stream, ${run.finished} finished first`,
      `  time           ${seconds.toFixed(1)} s (${((seconds * 1000) / count).toFixed(1)} ms per stream)`,
      `  backend        activeStreams ${lab.activeBackendStreams()}${streamsSettled ? "" : " (still not 0 after 5 s)"}`,
      `  resources      before: ${fmt(before)}`,
      `                 after:  ${fmt(after)}`,
      `  grown          ${fmt(grown(before, after))}${handlesSettled ? "" : " (after waiting 5 s)"}`,
      `  heap           ${heapBefore.toFixed(1)} MB before, ${heapAfter.toFixed(1)} MB after${hasGc ? " (after forced GC)" : " (no --expose-gc: figures include garbage)"}`,
      "",
    ].join("\n"),
  );
  if (!streamsSettled || !handlesSettled) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`leak-check: ${(e as Error).message}\n`);
    process.exit(1);
  });
}

/**
 * The leak check's parts (`npm run leak-check`, bin/leak-check.ts): streams aborted at
 * random points through the local lab's gateway, and what is left in the process after
 * them: timers and handles by type, waited for until they settle.
 */
import { request, type IncomingMessage } from "node:http";
import type { LocalLab } from "../lib/local-lab/index";

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
 * the headers (1 in 10) or after 1..`maxChunks` events. Its own connection each
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

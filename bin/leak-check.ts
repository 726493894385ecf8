/**
 * `npm run leak-check`: streams aborted at random points through the local lab's
 * gateway, many in a row, then what is left: timers and handles in the process,
 * connections on the three servers, generations at the backend, heap after a forced GC.
 *
 *   npm run leak-check -- [--count 1000] [--concurrency 25] [--seed 7]
 *
 * Run with --expose-gc (the npm script does) for heap figures that mean something.
 */
import { startLocalLab } from "../lib/local-lab/index";
import { integer, runCommand } from "../tools/cli";
import { abortStreams, activeResources, grown, settle } from "../tools/leak-check";

const command = {
  run: "npm run leak-check",
  usage: "usage: npm run leak-check -- [--count N (1000)] [--concurrency N (25)] [--seed N (7)]",
  options: {
    count: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "25" },
    seed: { type: "string", default: "7" },
  },
} as const;

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

runCommand(command, async ({ values }) => {
  const count = integer("count", values.count, 1);
  const concurrency = integer("concurrency", values.concurrency, 1);
  const seed = integer("seed", values.seed, 1);
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
  return streamsSettled && handlesSettled ? 0 : 1;
});

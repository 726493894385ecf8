/**
 * One cell of the benchmark: warm-up, the direct path, the gateway, and at concurrency 1
 * with zero latency the bare proxy; then what the gateway added, and each relayed stream
 * checked event by event against its direct twin.
 */
import { performance } from "node:perf_hooks";
import { warmUp, type ClientKind, type Target } from "./client";
import type { Lab } from "./lab-children";
import { runPath, type PathResult } from "./measure";
import type { Scenario } from "./scenarios";
import { compareSequences, pairedGapDifferences, spread, type Spread } from "./stats";

export interface ScenarioResult extends Scenario {
  direct: PathResult;
  gateway: PathResult;
  added: {
    ttfbMs: { p50: number; p99: number };
    ttfcMs: { p50: number; p99: number };
    /** Per event, gateway gap − direct gap of the same seeded stream. */
    interChunkPairedMs: Spread;
    /** p50/p99 of the gateway's gaps − p50/p99 of the direct gaps. */
    interChunkPercentileMs: { p50: number; p99: number };
  };
  fidelity: { streamsCompared: number; lost: number; duplicated: number; reordered: number; mismatchedStreams: number };
  /** Concurrency 1 only: the same requests through a bare Node proxy, as the floor. */
  bareProxy?: { ttfbMs: { p50: number; p99: number }; ttfcMs: { p50: number; p99: number }; cpuPerChunkUs: number };
}

export async function runScenario(lab: Lab, scenario: Scenario, seedBase: number, client: ClientKind): Promise<ScenarioResult> {
  const direct: Target = { url: lab.backend.url, key: lab.backend.key };
  const gateway: Target = { url: lab.gateway.url, key: lab.gateway.key };
  const t0 = performance.now();
  // Both paths at once: opening 1,000 connections is CPU-bound work in every process,
  // and doing it for one path after the other took a third of the quick run.
  const floor = scenario.concurrency === 1 && scenario.latency === "zero";
  const bare: Target = { url: lab.bareProxy.url, key: lab.backend.key };
  if (scenario.warm) {
    await Promise.all([warmUp(direct, scenario, client), warmUp(gateway, scenario, client), floor ? warmUp(bare, scenario, client) : undefined]);
  }
  const t1 = performance.now();
  const d = await runPath(lab, direct, scenario, seedBase, client);
  const t2 = performance.now();
  const g = await runPath(lab, gateway, scenario, seedBase, client);
  const t3 = performance.now();
  if (process.env.BENCH_PHASES) process.stderr.write(`  warm-up ${((t1 - t0) / 1000).toFixed(1)} s, direct ${((t2 - t1) / 1000).toFixed(1)} s, gateway ${((t3 - t2) / 1000).toFixed(1)} s\n`);

  const fidelity = { streamsCompared: 0, lost: 0, duplicated: 0, reordered: 0, mismatchedStreams: 0 };
  const paired: number[] = [];
  for (let i = 0; i < scenario.requests; i++) {
    const a = d.streams[i];
    const b = g.streams[i];
    // A failed stream is counted under "failed"; fidelity is judged on complete streams.
    if (!a.ok || !b.ok) continue;
    fidelity.streamsCompared++;
    const check = compareSequences(a.keys, b.keys);
    fidelity.lost += check.lost;
    fidelity.duplicated += check.duplicated;
    fidelity.reordered += check.reordered;
    if (check.lost + check.duplicated + check.reordered > 0) fidelity.mismatchedStreams++;
    else for (const x of pairedGapDifferences(a.at, b.at)) paired.push(x);
  }
  const D = d.result;
  const G = g.result;
  let bareProxy: ScenarioResult["bareProxy"];
  if (floor) {
    const b = (await runPath(lab, bare, scenario, seedBase, client)).result;
    bareProxy = {
      ttfbMs: { p50: b.ttfbMs.p50 - D.ttfbMs.p50, p99: b.ttfbMs.p99 - D.ttfbMs.p99 },
      ttfcMs: { p50: b.ttfcMs.p50 - D.ttfcMs.p50, p99: b.ttfcMs.p99 - D.ttfcMs.p99 },
      cpuPerChunkUs: b.gateway.cpuPerChunkUs,
    };
  }
  return {
    ...scenario,
    bareProxy,
    direct: D,
    gateway: G,
    added: {
      ttfbMs: { p50: G.ttfbMs.p50 - D.ttfbMs.p50, p99: G.ttfbMs.p99 - D.ttfbMs.p99 },
      ttfcMs: { p50: G.ttfcMs.p50 - D.ttfcMs.p50, p99: G.ttfcMs.p99 - D.ttfcMs.p99 },
      interChunkPairedMs: spread(paired),
      interChunkPercentileMs: { p50: G.gapMs.p50 - D.gapMs.p50, p99: G.gapMs.p99 - D.gapMs.p99 },
    },
    fidelity,
  };
}


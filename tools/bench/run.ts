/**
 * A whole benchmark run: the cells in order against the lab's three processes, the
 * figures printed as a table with a line per target, and everything written to
 * out/bench.json. Figures are reported, never asserted.
 */
import { execSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { runScenario, type ScenarioResult } from "./cell";
import type { ClientKind } from "./client";
import { startLab } from "./lab-children";
import { profileSummary } from "./profile";
import { report, verdicts } from "./report";
import { TARGETS, type Scenario } from "./scenarios";

export interface BenchOptions {
  scenarios: Scenario[];
  quick: boolean;
  client: ClientKind;
  tokensPerEvent: number;
  /** A CPU profile of the backend and the gateway over the measured spans, in out/bench-profile/. */
  profile: boolean;
}

function openFileLimit(): number {
  try {
    return Number(execSync("ulimit -n", { shell: "/bin/sh" }).toString().trim());
  } catch {
    return NaN;
  }
}

export async function runBench(options: BenchOptions): Promise<void> {
  const { quick, client, tokensPerEvent } = options;
  // Each stream holds up to 4 descriptors (client, gateway in and out, backend).
  const limit = openFileLimit();
  const needed = 4 * Math.max(...options.scenarios.map((s) => s.concurrency)) + 100;
  if (limit < needed) throw new Error(`open-file limit ${limit} is below ${needed}; raise it first: ulimit -n ${needed}`);

  const outDir = resolve("out");
  const profileDir = options.profile ? join(outDir, "bench-profile") : undefined;
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir ?? outDir, { recursive: true });

  const started = performance.now();
  const lab = await startLab(profileDir);
  const results: ScenarioResult[] = [];
  try {
    let seedBase = 1000;
    for (const s of options.scenarios) {
      const t = performance.now();
      results.push(await runScenario(lab, s, seedBase, client));
      process.stderr.write(`bench: ${s.latency} latency, ${s.concurrency} concurrent, ${s.requests} streams: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
      seedBase += s.requests;
    }
  } finally {
    await lab.stop();
  }
  const seconds = (performance.now() - started) / 1000;

  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? "?", memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
  const summary = verdicts(results);
  console.log(report(results));
  console.log(`\nadded = through the gateway − straight to the backend, same seeded requests, same run (${quick ? "quick" : "full"} mode, ${client} client, ${tokensPerEvent} token${tokensPerEvent === 1 ? "" : "s"} per content event, ${seconds.toFixed(1)} s)`);
  console.log(`machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; backend, gateway and client in three processes`);
  for (const line of summary) console.log(line);
  let hotspots: Record<string, string[]> | undefined;
  if (profileDir) {
    hotspots = {};
    for (const role of ["gateway", "backend"]) {
      hotspots[role] = profileSummary(profileDir, role);
      console.log(`\n${role} process, self time over the whole run:\n` + hotspots[role].join("\n"));
    }
  }
  writeFileSync(
    join(outDir, "bench.json"),
    JSON.stringify({ date: new Date().toISOString(), mode: quick ? "quick" : "full", client, tokensPerEvent, seconds, machine, targets: TARGETS, summary, scenarios: results, hotspots }, null, 2) + "\n",
  );
  console.log(`\nwritten: out/bench.json`);
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { verdicts } from "../tools/bench/report";
import type { ScenarioResult } from "../tools/bench/cell";

/** The fields verdicts() reads for the zero-latency, concurrency-1 cell. */
function zeroOne(gatewayP50: number, floorP50: number): ScenarioResult {
  const path = { errors: 0, errorKinds: [], gateway: { cpuPerChunkUs: 40 } };
  return {
    latency: "zero",
    concurrency: 1,
    added: { ttfcMs: { p50: gatewayP50, p99: 0.9 } },
    bareProxy: { ttfcMs: { p50: floorP50, p99: 0.6 }, cpuPerChunkUs: 35 },
    direct: path,
    gateway: path,
    fidelity: { lost: 0, duplicated: 0, reordered: 0 },
  } as unknown as ScenarioResult;
}

test("the bench holds the gateway's added time to first content against the bare proxy of the same run (1.5×)", () => {
  const met = verdicts([zeroOne(0.45, 0.31)]).find((l) => l.includes("against the floor"));
  assert.equal(met, "  against the floor: 1.45× the bare proxy's p50 (target ≤ 1.5×: met)");
  const missed = verdicts([zeroOne(0.51, 0.31)]).find((l) => l.includes("against the floor"));
  assert.equal(missed, "  against the floor: 1.65× the bare proxy's p50 (target ≤ 1.5×: MISSED)");
});

/** The benchmark's figures for a person: one table row a cell, and a line a target. */
import { textTable } from "../../lib/report/text-table";
import type { ScenarioResult } from "./cell";
import { TARGETS } from "./scenarios";

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "-");
const num = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

export function report(results: ScenarioResult[]): string {
  const rows = results.map((r) => [
    r.latency,
    r.concurrency,
    `${r.requests}×${num(r.direct.chunks / Math.max(1, r.requests), 1)}`,
    `${ms(r.added.ttfbMs.p50)} / ${ms(r.added.ttfbMs.p99)}`,
    `${ms(r.added.ttfcMs.p50)} / ${ms(r.added.ttfcMs.p99)}`,
    `${ms(r.added.interChunkPairedMs.p50)} / ${ms(r.added.interChunkPairedMs.p99)}`,
    `${num(r.direct.chunksPerSecond)} / ${num(r.gateway.chunksPerSecond)}`,
    `${num(r.gateway.gateway.cpuPerChunkUs, 1)}`,
    `${num(r.gateway.backend.cpuPerChunkUs, 1)} / ${num(r.gateway.client.cpuPerChunkUs, 1)}`,
    `${num(r.gateway.gateway.peakRssMB)} (${num(r.gateway.gateway.perOpenStreamKB, 1)})`,
    `${num(r.gateway.backend.peakRssMB)} / ${num(r.gateway.client.peakRssMB)}`,
    `${r.fidelity.lost}/${r.fidelity.duplicated}/${r.fidelity.reordered}`,
    `${r.direct.errors}/${r.gateway.errors}`,
  ]);
  return textTable(
    [
      "latency", "conc.", "streams × chunks", "+TTFB ms p50/p99", "+first content ms p50/p99", "+inter-chunk ms p50/p99",
      "chunks/s direct / gw", "gateway CPU µs/chunk", "backend / client CPU µs/chunk", "gateway RSS MB (KB/stream)",
      "backend / client RSS MB", "lost/dup/reord", "failed direct/gw",
    ],
    rows,
    { maxWidth: 16 },
  );
}

export function verdicts(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  const c1 = results.find((r) => r.latency === "zero" && r.concurrency === 1);
  if (c1) {
    const { p50, p99 } = c1.added.ttfcMs;
    if (c1.bareProxy) lines.push(`  the floor, a bare Node pass-through proxy on the same path: +${ms(c1.bareProxy.ttfcMs.p50)} / ${ms(c1.bareProxy.ttfcMs.p99)} ms to first content (p50/p99), ${num(c1.bareProxy.cpuPerChunkUs, 1)} µs CPU a chunk (gateway: ${num(c1.gateway.gateway.cpuPerChunkUs, 1)})`);
    lines.push(`added time to first content, concurrency 1, zero latency: p50 ${ms(p50)} ms (target ≤ ${TARGETS.ttfcP50Ms}: ${p50 <= TARGETS.ttfcP50Ms ? "met" : "MISSED"}), p99 ${ms(p99)} ms (target ≤ ${TARGETS.ttfcP99Ms}: ${p99 <= TARGETS.ttfcP99Ms ? "met" : "MISSED"})`);
    if (c1.bareProxy) {
      const ratio = p50 / c1.bareProxy.ttfcMs.p50;
      lines.push(`  against the floor: ${num(ratio, 2)}× the bare proxy's p50 (target ≤ ${TARGETS.ttfcVsFloor}×: ${ratio <= TARGETS.ttfcVsFloor ? "met" : "MISSED"})`);
    }
  }
  const c1k = results.find((r) => r.latency === "default" && r.concurrency === 1000);
  if (c1k) {
    const p99 = c1k.added.interChunkPairedMs.p99;
    const g = c1k.gateway;
    const all = g.gateway.peakRssMB + g.backend.peakRssMB + g.client.peakRssMB;
    const burst = c1k.tokensPerEvent === 1 ? "" : `, ${c1k.tokensPerEvent} tokens per event`;
    lines.push(`added inter-chunk delay p99, 1,000 streams, default timing${burst}: ${ms(p99)} ms per event paired with the direct stream (${ms(c1k.added.interChunkPercentileMs.p99)} ms as a difference of p99s) (target ≤ ${TARGETS.interChunkP99Ms}: ${p99 <= TARGETS.interChunkP99Ms ? "met" : "MISSED"})`);
    lines.push(`gateway process memory at 1,000 streams: ${num(g.gateway.peakRssMB)} MB peak RSS (target ≤ ${TARGETS.totalMemoryMB}: ${g.gateway.peakRssMB <= TARGETS.totalMemoryMB ? "met" : "MISSED"}); with backend and client: ${num(all)} MB`);
  }
  const bad = results.reduce((n, r) => n + r.fidelity.lost + r.fidelity.duplicated + r.fidelity.reordered, 0);
  const errors = results.reduce((n, r) => n + r.direct.errors + r.gateway.errors, 0);
  lines.push(`streaming fidelity: ${bad === 0 ? "no" : bad} lost, duplicated or reordered chunks; ${errors} failed streams`);
  for (const r of results) {
    for (const [path, p] of [["direct", r.direct], ["gateway", r.gateway]] as const) {
      if (p.errors > 0) lines.push(`  ${r.latency}/${r.concurrency} ${path}: ${p.errors} failed (${p.errorKinds.join("; ")})`);
    }
  }
  return lines;
}


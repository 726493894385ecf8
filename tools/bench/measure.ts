/**
 * One measured phase on one path: the requests sent, each process's CPU and memory over
 * the phase (the lab's children, and this process as the client), and each stream read
 * after the phase with the lab's own event-stream reader.
 */
import { performance } from "node:perf_hooks";
import { eventsFromReads } from "../../lib/stream/sse";
import { runRequests, type BenchStream, type ClientKind, type Target } from "./client";
import type { Lab } from "./lab-children";
import type { LabUsage } from "./lab-process";
import type { Scenario } from "./scenarios";
import { eventKey, gaps, spread, type Spread } from "./stats";

export interface Stream {
  ok: boolean;
  failure?: string;
  ttfbMs: number;
  ttfcMs: number;
  keys: string[];
  /** Event arrival times, ms after the request was sent. */
  at: number[];
  newConnection: boolean;
}

/** Parsing happens after the phase, so the client does no more than record during it. */
function reduceRecord(r: BenchStream): Stream {
  const events = eventsFromReads(r.reads, r.times.map((t) => t - r.startedAt));
  const keys = events.map(eventKey);
  const at = events.map((e) => e.ms);
  const first = events.findIndex((e) => e.kind === "content");
  const ok = r.error === undefined && r.status === 200 && keys[keys.length - 1] === "done";
  const failure = ok ? undefined : r.error ?? (r.status !== 200 ? `status ${r.status}` : `ended after ${keys.length} events without [DONE]`);
  return { ok, failure, ttfbMs: r.headersAt - r.startedAt, ttfcMs: first < 0 ? NaN : at[first], keys, at, newConnection: r.reusedSocket === false };
}

interface ProcessFigures {
  cpuMs: number;
  cpuPerChunkUs: number;
  baselineRssMB: number;
  peakRssMB: number;
  /** (peak RSS − RSS before the phase) / streams open at once. */
  perOpenStreamKB: number;
}

export interface PathResult {
  streams: number;
  errors: number;
  /** The first few distinct failures, e.g. `status 500` or a socket error. */
  errorKinds: string[];
  chunks: number;
  /** Streams that could not reuse a kept-alive client connection (http client only). */
  newConnections: number;
  wallMs: number;
  chunksPerSecond: number;
  ttfbMs: Spread;
  ttfcMs: Spread;
  gapMs: Spread;
  backend: ProcessFigures;
  /** Idle on the direct path. */
  gateway: ProcessFigures;
  client: ProcessFigures;
}

const MB = 1024 * 1024;

function figures(usage: LabUsage, chunks: number, open: number): ProcessFigures {
  const cpuMs = usage.cpuUserMs + usage.cpuSystemMs;
  return {
    cpuMs,
    cpuPerChunkUs: (cpuMs * 1000) / Math.max(1, chunks),
    baselineRssMB: usage.baselineRssBytes / MB,
    peakRssMB: usage.peakRssBytes / MB,
    perOpenStreamKB: (usage.peakRssBytes - usage.baselineRssBytes) / 1024 / open,
  };
}

/** The client's own CPU and memory, measured like a child's. */
function clientMeter(): { end(): LabUsage } {
  const wall = performance.now();
  const cpu0 = process.cpuUsage();
  const baseline = process.memoryUsage();
  let peak = baseline.rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  return {
    end() {
      clearInterval(timer);
      const cpu = process.cpuUsage(cpu0);
      return {
        type: "usage", wallMs: performance.now() - wall, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000,
        baselineRssBytes: baseline.rss, peakRssBytes: Math.max(peak, process.memoryUsage.rss()),
        baselineHeapBytes: baseline.heapUsed, peakHeapBytes: 0, peakExternalBytes: 0, samples: 0,
      };
    },
  };
}

export async function runPath(lab: Lab, target: Target, scenario: Scenario, seedBase: number, client: ClientKind): Promise<{ streams: Stream[]; result: PathResult }> {
  (globalThis as { gc?: () => void }).gc?.();
  await Promise.all([lab.backend.begin(), lab.gateway.begin(), lab.bareProxy.begin()]);
  const meter = clientMeter();
  const records = await runRequests(target, scenario, scenario.requests, seedBase, client);
  const clientUsage = meter.end();
  const [backendUsage, gatewayUsage, bareUsage] = await Promise.all([lab.backend.end(), lab.gateway.end(), lab.bareProxy.end()]);
  const streams = records.map(reduceRecord);
  const good = streams.filter((s) => s.ok);
  const chunks = streams.reduce((n, s) => n + s.keys.length, 0);
  const open = Math.max(1, Math.min(scenario.concurrency, streams.length));
  const wallMs = clientUsage.wallMs;
  return {
    streams,
    result: {
      streams: streams.length,
      errors: streams.length - good.length,
      errorKinds: [...new Set(streams.filter((s) => !s.ok).map((s) => s.failure ?? "?"))].slice(0, 5),
      chunks,
      newConnections: streams.filter((s) => s.newConnection).length,
      wallMs,
      chunksPerSecond: chunks / (wallMs / 1000),
      ttfbMs: spread(good.map((s) => s.ttfbMs)),
      ttfcMs: spread(good.map((s) => s.ttfcMs)),
      gapMs: spread(good.flatMap((s) => gaps(s.at))),
      backend: figures(backendUsage, chunks, open),
      // Whichever hop is in use: the gateway's figures on the bare proxy's path are the proxy's.
      gateway: figures(target.url === lab.bareProxy.url ? bareUsage : gatewayUsage, chunks, open),
      client: figures(clientUsage, chunks, open),
    },
  };
}

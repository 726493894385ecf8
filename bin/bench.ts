/**
 * `npm run bench [-- --quick] [-- --client=http|fetch] [-- --profile] [-- --tokens-per-event=N]`:
 * what the local gateway adds to a streamed call. The same seeded streamed requests go
 * straight to the backend and through the gateway, one after the other, at several
 * concurrencies, with zero simulated latency and with the default timing model. The lab
 * (backend + gateway) runs in a child process (bench-lab.ts), so its CPU and memory are
 * its own; the load client is this process. Writes a table to stdout and everything to out/bench.json.
 * Figures are reported, never asserted: the targets are printed beside them.
 * `--tokens-per-event=N` (default 1) makes the backend release N tokens an event, as
 * Azure's default content filter releases text in bursts: fewer, larger chunks.
 */
import { execSync, fork, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { textTable } from "../lib/report/text-table";
import { eventsFromReads } from "../lib/stream/sse";
import type { LabUsage } from "./bench-lab";
import { compareSequences, eventKey, gaps, pairedGapDifferences, spread, type Spread } from "./bench-stats";

type Latency = "zero" | "default";
type ClientKind = "http" | "fetch";

interface Scenario {
  latency: Latency;
  concurrency: number;
  requests: number;
  maxTokens: number;
  /** Tokens in each content event (`x-lab-timing: tokens-per-event`); 1 is the backend's default. */
  tokensPerEvent: number;
  /** Open every connection before measuring (see warmUp). */
  warm: boolean;
}

/** Targets from issue 8, as differences gateway − direct in the same run. */
const TARGETS = { ttfcP50Ms: 0.5, ttfcP99Ms: 2, interChunkP99Ms: 10, totalMemoryMB: 200 };

/**
 * Request counts are sized so the full run stays under two minutes on 2 cores. Default
 * latency streams are short (max_tokens): their length is the timing model's, ~20 ms a
 * token after ~350 ms, so more tokens only lengthen the run, not the sample.
 */
function scenarios(quick: boolean, tokensPerEvent: number): Scenario[] {
  // Quick mode (30 s budget): a concurrency needs as many streams as it has, so the
  // 1,000-stream cells keep 1,000 and shorten them instead; 150 streams still give a p99.
  // Their warm-up (2,000 connections, ~5.5 s a cell) is skipped: with a listen backlog of
  // 4096 a burst of connects is not dropped, and both paths pay for opening them alike.
  const cells: Omit<Scenario, "tokensPerEvent">[] = quick
    ? [
        { latency: "zero", concurrency: 1, requests: 150, maxTokens: 20, warm: true },
        { latency: "zero", concurrency: 100, requests: 200, maxTokens: 10, warm: true },
        { latency: "zero", concurrency: 1000, requests: 1000, maxTokens: 6, warm: false },
        { latency: "default", concurrency: 1, requests: 2, maxTokens: 6, warm: true },
        { latency: "default", concurrency: 100, requests: 100, maxTokens: 6, warm: true },
        { latency: "default", concurrency: 1000, requests: 1000, maxTokens: 4, warm: false },
      ]
    : [
        { latency: "zero", concurrency: 1, requests: 1000, maxTokens: 20, warm: true },
        { latency: "zero", concurrency: 100, requests: 2000, maxTokens: 20, warm: true },
        { latency: "zero", concurrency: 1000, requests: 2000, maxTokens: 20, warm: true },
        { latency: "default", concurrency: 1, requests: 15, maxTokens: 10, warm: true },
        { latency: "default", concurrency: 100, requests: 300, maxTokens: 30, warm: true },
        { latency: "default", concurrency: 1000, requests: 2000, maxTokens: 20, warm: true },
      ];
  // max_tokens stays as it is: a burst changes how many events carry the same tokens
  // over the same time (as Azure's content filter does), not how long a stream lasts.
  return cells.map((c) => ({ ...c, tokensPerEvent }));
}

// ---- the lab in a child process ---------------------------------------------------

interface LabChild {
  url: string;
  key: string;
  begin(): Promise<void>;
  end(): Promise<LabUsage>;
  stop(): Promise<void>;
}

function startLabChild(args: string[], profileDir: string | undefined): Promise<LabChild> {
  const execArgv = ["--import", "tsx", "--expose-gc"];
  const env = profileDir ? { ...process.env, BENCH_PROFILE_DIR: profileDir } : process.env;
  const child: ChildProcess = fork(join(__dirname, "bench-lab.ts"), args, { execArgv, env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = (type: string) =>
    new Promise<any>((done, fail) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        done(m);
      };
      const onExit = (code: number | null) => fail(new Error(`bench ${args[0]} exited (${code}) while waiting for '${type}'`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ask = (type: string, answer: string) => {
    const reply = next(answer);
    child.send({ type });
    return reply;
  };
  return next("ready").then((info: { url: string; key: string }) => ({
    url: info.url,
    key: info.key,
    begin: () => ask("begin", "begun").then(() => undefined),
    end: () => ask("end", "usage"),
    stop: () =>
      new Promise<void>((done) => {
        child.once("exit", () => done());
        child.send({ type: "exit" });
      }),
  }));
}

interface Lab {
  backend: LabChild;
  gateway: LabChild;
  /** A bare Node pass-through proxy: the floor any Node hop costs here. */
  bareProxy: LabChild;
}

// ---- the load client ----------------------------------------------------------------

interface Target {
  url: string;
  key: string;
}

/** What the load client kept of one stream: its reads and their times, parsed after the phase. */
interface BenchStream {
  status: number;
  error?: string;
  startedAt: number;
  headersAt: number;
  reads: Uint8Array[];
  times: number[];
  /** False when the stream needed a new connection. */
  reusedSocket?: boolean;
}

const PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21";

/** The same request for the same index on both paths: same prompt, same seed, same schedule. */
function requestFor(scenario: Scenario, index: number, seedBase: number): { headers: Record<string, string>; body: string } {
  const seed = seedBase + index;
  // "1, 2, 3": two tokens a number, so the reply just exceeds max_tokens. A longer reply
  // would only make the backend tokenize text that max_tokens then cuts.
  const content = `Count to ${Math.ceil(scenario.maxTokens / 2) + 1}`;
  const body = JSON.stringify({ messages: [{ role: "user", content }], stream: true, max_tokens: scenario.maxTokens });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "x-lab-timing": timingHeader(scenario, seed),
    },
  };
}

/** At 1 token per event the header is left as it was, so default runs send the same requests. */
function timingHeader(scenario: Scenario, seed: number): string {
  const parts = scenario.latency === "zero" ? ["none", `seed=${seed}`] : [`seed=${seed}`];
  if (scenario.tokensPerEvent !== 1) parts.push(`tokens-per-event=${scenario.tokensPerEvent}`);
  return parts.join("; ");
}

// Enough sockets for every stream at once, and kept open between rounds; an idle one is
// dropped after 4 s, before the servers' 5 s keep-alive timeout could reset a reused one.
const httpAgent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 4096, timeout: 4_000 });

function streamWithHttp(target: Target, headers: Record<string, string>, body: string): Promise<BenchStream> {
  return new Promise((done) => {
    const record: BenchStream = { status: 0, startedAt: performance.now(), headersAt: NaN, reads: [], times: [] };
    const req = httpRequest(target.url + PATH, { method: "POST", agent: httpAgent, headers: { ...headers, "api-key": target.key } });
    req.on("response", (res) => {
      record.reusedSocket = req.reusedSocket;
      record.headersAt = performance.now();
      record.status = res.statusCode ?? 0;
      res.on("data", (chunk: Buffer) => {
        record.times.push(performance.now());
        record.reads.push(chunk);
      });
      res.on("end", () => done(record));
      res.on("error", (e) => {
        record.error = e.message;
        done(record);
      });
    });
    req.on("error", (e) => {
      record.error = e.message;
      done(record);
    });
    req.end(body);
  });
}

async function streamWithFetch(target: Target, headers: Record<string, string>, body: string): Promise<BenchStream> {
  const record: BenchStream = { status: 0, startedAt: performance.now(), headersAt: NaN, reads: [], times: [] };
  try {
    const { "content-length": _omit, ...rest } = headers;
    const res = await fetch(target.url + PATH, { method: "POST", headers: { ...rest, "api-key": target.key }, body });
    record.headersAt = performance.now();
    record.status = res.status;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      record.times.push(performance.now());
      record.reads.push(chunk);
    }
  } catch (e) {
    record.error = (e as Error).message;
  }
  return record;
}

/** Closed loop: `concurrency` workers, each sending its next request when its stream ends. */
async function runRequests(target: Target, scenario: Scenario, count: number, seedBase: number, client: ClientKind): Promise<BenchStream[]> {
  const records: BenchStream[] = new Array(count);
  let next = 0;
  const send = client === "http" ? streamWithHttp : streamWithFetch;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { headers, body } = requestFor(scenario, i, seedBase);
      records[i] = await send(target, headers, body);
    }
  };
  await Promise.all(Array.from({ length: Math.min(scenario.concurrency, count) }, worker));
  return records;
}

// ---- reduction ----------------------------------------------------------------------

interface Stream {
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

interface PathResult {
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

interface ScenarioResult extends Scenario {
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

async function runPath(lab: Lab, target: Target, scenario: Scenario, seedBase: number, client: ClientKind): Promise<{ streams: Stream[]; result: PathResult }> {
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

/**
 * Opens one kept-alive connection per concurrent stream on every hop before measuring,
 * a few hundred at a time: a burst of 1,000 connects would overflow a listen backlog
 * (Node's default is 511) and the kernel's dropped SYNs cost a 1 s retry. Each warm-up
 * stream holds its connection ~300 ms, so the waves overlap and all are open at once.
 */
async function warmUp(target: Target, scenario: Scenario, client: ClientKind): Promise<void> {
  const wave = 200;
  const held: Scenario = { ...scenario, latency: "default", maxTokens: 1 };
  const pending: Promise<BenchStream>[] = [];
  for (let i = 0; i < Math.max(scenario.concurrency, 20); i++) {
    if (i > 0 && i % wave === 0) await new Promise((r) => setTimeout(r, 30));
    const { headers, body } = requestFor(held, i, 0);
    headers["x-lab-timing"] = "first-token=300; token=0; jitter=0";
    pending.push((client === "http" ? streamWithHttp : streamWithFetch)(target, headers, body));
  }
  await Promise.all(pending);
}

async function runScenario(lab: Lab, scenario: Scenario, seedBase: number, client: ClientKind): Promise<ScenarioResult> {
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

// ---- report -------------------------------------------------------------------------

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "-");
const num = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function report(results: ScenarioResult[]): string {
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

function verdicts(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  const c1 = results.find((r) => r.latency === "zero" && r.concurrency === 1);
  if (c1) {
    const { p50, p99 } = c1.added.ttfcMs;
    if (c1.bareProxy) lines.push(`  the floor, a bare Node pass-through proxy on the same path: +${ms(c1.bareProxy.ttfcMs.p50)} / ${ms(c1.bareProxy.ttfcMs.p99)} ms to first content (p50/p99), ${num(c1.bareProxy.cpuPerChunkUs, 1)} µs CPU a chunk (gateway: ${num(c1.gateway.gateway.cpuPerChunkUs, 1)})`);
    lines.push(`added time to first content, concurrency 1, zero latency: p50 ${ms(p50)} ms (target ≤ ${TARGETS.ttfcP50Ms}: ${p50 <= TARGETS.ttfcP50Ms ? "met" : "MISSED"}), p99 ${ms(p99)} ms (target ≤ ${TARGETS.ttfcP99Ms}: ${p99 <= TARGETS.ttfcP99Ms ? "met" : "MISSED"})`);
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

/** Top functions by self time over the measured spans of one process (its profiles `<role>-N.cpuprofile`). */
function profileSummary(dir: string, role: string, top = 15): string[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(role + "-") && f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
      nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const f = byId.get(id)!.callFrame;
      const where = f.url ? `${f.url.replace(/^.*\/(node_modules|lib|bin)\//, "$1/")}:${f.lineNumber + 1}` : "";
      const name = `${f.functionName || "(anonymous)"} ${where}`.trim();
      if (name === "(idle)") return; // shares of busy time
      const dt = profile.timeDeltas[i] ?? 0;
      self.set(name, (self.get(name) ?? 0) + dt);
      total += dt;
    });
  }
  if (total === 0) return ["(no profile written)"];
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
}

/** `--tokens-per-event=N`: checked here, since a bad value would fail every request with a 400. */
function tokensPerEventArg(argv: string[]): number {
  const raw = argv.find((a) => a.startsWith("--tokens-per-event="))?.slice("--tokens-per-event=".length);
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--tokens-per-event= must be an integer >= 1, got "${raw}"`);
  return n;
}

function openFileLimit(): number {
  try {
    return Number(execSync("ulimit -n", { shell: "/bin/sh" }).toString().trim());
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const profile = argv.includes("--profile");
  const clientArg = argv.find((a) => a.startsWith("--client="))?.slice("--client=".length) ?? "http";
  if (clientArg !== "http" && clientArg !== "fetch") throw new Error("--client= must be http or fetch");
  const client: ClientKind = clientArg;
  const only = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const tokensPerEvent = tokensPerEventArg(argv);
  const list = scenarios(quick, tokensPerEvent).filter((s) => !only || only.split(",").includes(`${s.latency}-${s.concurrency}`));

  // Each stream holds up to 4 descriptors (client, gateway in and out, backend).
  const limit = openFileLimit();
  const needed = 4 * Math.max(...list.map((s) => s.concurrency)) + 100;
  if (limit < needed) throw new Error(`open-file limit ${limit} is below ${needed}; raise it first: ulimit -n ${needed}`);

  const outDir = resolve("out");
  const profileDir = profile ? join(outDir, "bench-profile") : undefined;
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir ?? outDir, { recursive: true });

  const started = performance.now();
  const backend = await startLabChild(["backend"], profileDir);
  const gateway = await startLabChild(["gateway", backend.url, backend.key], profileDir);
  const bareProxy = await startLabChild(["bare-proxy", backend.url, backend.key], undefined);
  const lab: Lab = { backend, gateway, bareProxy };
  const results: ScenarioResult[] = [];
  try {
    let seedBase = 1000;
    for (const s of list) {
      const t = performance.now();
      results.push(await runScenario(lab, s, seedBase, client));
      process.stderr.write(`bench: ${s.latency} latency, ${s.concurrency} concurrent, ${s.requests} streams: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
      seedBase += s.requests;
    }
  } finally {
    await Promise.all([gateway.stop(), bareProxy.stop(), backend.stop()]);
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

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * The lab side of `npm run bench`: the backend simulator, the gateway or a bare Node
 * proxy, each in its own child process, so that the gateway's CPU and memory are its own
 * and not mixed with the backend's (whose tokenizer tables alone take ~70 MB) or the load
 * client's. The gateway
 * is configured as `startLocalLab` configures it (buffer-response off, no debug token on
 * the measured requests). Talks to the parent over IPC:
 *
 *   child -> { type: "ready", url, key }   key: the backend's api key or the gateway's subscription key
 *   parent -> { type: "begin" }            child: GC, then measures CPU and samples memory
 *   parent -> { type: "end" }              child -> { type: "usage", ... } since begin
 *   parent -> { type: "exit" }
 *
 * Usage (forked by lab-children.ts): lab-process.ts backend | lab-process.ts gateway|bare-proxy <backendUrl> <backendKey>
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { DeploymentConfig } from "../../lib/local-lab/backend/index";
import type { ApiDefinition } from "../../lib/local-lab/gateway/apis";

/** One deployment with quotas out of reach: the benchmark measures relaying, not 429s. */
export const BENCH_DEPLOYMENT: DeploymentConfig = { name: "gpt-4o-mini", model: "gpt-4o-mini", tokensPerMinute: 1e9, requestsPerMinute: 1e7 };

export interface LabUsage {
  type: "usage";
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  baselineHeapBytes: number;
  peakHeapBytes: number;
  peakExternalBytes: number;
  samples: number;
}

const SAMPLE_EVERY_MS = 10;

async function main(): Promise<void> {
  if (!process.send) throw new Error("lab-process.ts runs as a child of npm run bench (needs an IPC channel)");
  const [role, backendUrl, backendKey] = process.argv.slice(2);
  let ready: { url: string; key: string };
  let close: () => Promise<void>;
  if (role === "backend") {
    // Imported here, not at the top: the gateway's process must not load the tokenizers.
    const { startBackend } = await import("../../lib/local-lab/backend/index");
    const backend = await startBackend({ deployments: [BENCH_DEPLOYMENT] });
    ready = { url: backend.url, key: backend.apiKey };
    close = backend.close;
  } else if (role === "gateway") {
    const { OPENAI_OPERATIONS } = await import("../../lib/local-lab/gateway/apis");
    const { startGateway } = await import("../../lib/local-lab/gateway/server");
    const { createTraceStore } = await import("../../lib/local-lab/trace/store");
    const subscriptionKey = randomBytes(24).toString("base64url");
    const api: ApiDefinition = {
      id: "/subscriptions/bench/resourceGroups/bench/providers/Microsoft.ApiManagement/service/bench/apis/openai",
      name: "openai",
      path: "openai",
      serviceUrl: `${backendUrl}/openai`,
      bufferResponse: false,
      operations: [...OPENAI_OPERATIONS],
    };
    const gateway = await startGateway({
      traceServiceName: "bench.azure-api.net",
      apis: [api],
      subscriptionKey,
      debugTokenKey: randomBytes(32),
      backendToken: backendKey,
      traceStore: createTraceStore(),
    });
    ready = { url: gateway.url, key: subscriptionKey };
    close = gateway.close;
  } else if (role === "bare-proxy") {
    // The floor: the least a Node proxy can do (no policy, no checks), to tell what the
    // gateway adds from what any Node process in the path costs on this machine.
    const http = await import("node:http");
    const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 2048, timeout: 4_000 });
    const server = http.createServer((req, res) => {
      const up = http.request(backendUrl + (req.url ?? "/"), { method: req.method, headers: { ...req.headers, "api-key": backendKey }, agent }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        res.flushHeaders();
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((done) => server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, done));
    ready = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, key: "unused" };
    close = () => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); agent.destroy(); });
  } else {
    throw new Error(`unknown role '${role}'`);
  }

  const gc = (globalThis as { gc?: () => void }).gc;
  let span: { wall: number; cpu: NodeJS.CpuUsage; timer: ReturnType<typeof setInterval>; usage: LabUsage } | undefined;
  // rss() alone: the full memoryUsage() walks the heap and would show up in the CPU figures.
  const sample = () => {
    if (!span) return;
    const rss = process.memoryUsage.rss();
    span.usage.samples++;
    if (rss > span.usage.peakRssBytes) span.usage.peakRssBytes = rss;
  };
  // BENCH_PROFILE_DIR: a CPU profile of each measured span only (no start-up, no warm-up).
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const inspector = profileDir ? new Session() : undefined;
  inspector?.connect();
  const post = (method: string) => new Promise<any>((done, fail) => inspector!.post(method, (err, result) => (err ? fail(err) : done(result))));
  let spans = 0;

  process.on("message", async (msg: { type: string }) => {
    if (msg.type === "begin") {
      if (inspector) await post("Profiler.enable").then(() => post("Profiler.start"));
      gc?.();
      const m = process.memoryUsage();
      span = {
        wall: performance.now(),
        cpu: process.cpuUsage(),
        timer: setInterval(sample, SAMPLE_EVERY_MS),
        usage: {
          type: "usage", wallMs: 0, cpuUserMs: 0, cpuSystemMs: 0,
          baselineRssBytes: m.rss, peakRssBytes: m.rss, baselineHeapBytes: m.heapUsed, peakHeapBytes: m.heapUsed,
          peakExternalBytes: m.external + m.arrayBuffers, samples: 0,
        },
      };
      process.send!({ type: "begun" });
    } else if (msg.type === "end" && span) {
      sample();
      const m = process.memoryUsage();
      span.usage.peakHeapBytes = Math.max(span.usage.peakHeapBytes, m.heapUsed);
      span.usage.peakExternalBytes = Math.max(span.usage.peakExternalBytes, m.external + m.arrayBuffers);
      clearInterval(span.timer);
      const cpu = process.cpuUsage(span.cpu);
      const usage = { ...span.usage, wallMs: performance.now() - span.wall, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000 };
      span = undefined;
      if (inspector) {
        const { profile } = await post("Profiler.stop");
        writeFileSync(join(profileDir!, `${role}-${++spans}.cpuprofile`), JSON.stringify(profile));
      }
      process.send!(usage);
    } else if (msg.type === "exit") {
      void close().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ type: "ready", ...ready });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

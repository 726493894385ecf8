/**
 * The load client: the same seeded streamed request for the same index on every path,
 * sent closed-loop by `concurrency` workers over node:http or fetch, each stream kept as
 * its raw reads and their arrival times (parsed after the phase, in measure.ts).
 */
import { Agent, request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import type { Scenario } from "./scenarios";

export type ClientKind = "http" | "fetch";

export interface Target {
  url: string;
  key: string;
}

/** What the load client kept of one stream: its reads and their times, parsed after the phase. */
export interface BenchStream {
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
      // Token by token, as before the lab's default became Azure's bursting filter: the
      // benchmark measures what the gateway adds to each event's pace.
      "x-lab-content-filter": "asynchronous",
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

const SEND = { http: streamWithHttp, fetch: streamWithFetch };

/** Closed loop: `concurrency` workers, each sending its next request when its stream ends. */
export async function runRequests(target: Target, scenario: Scenario, count: number, seedBase: number, client: ClientKind): Promise<BenchStream[]> {
  const records: BenchStream[] = new Array(count);
  let next = 0;
  const send = SEND[client];
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

/**
 * Opens one kept-alive connection per concurrent stream on every hop before measuring,
 * a few hundred at a time: a burst of 1,000 connects would overflow a listen backlog
 * (Node's default is 511) and the kernel's dropped SYNs cost a 1 s retry. Each warm-up
 * stream holds its connection ~300 ms, so the waves overlap and all are open at once.
 */
export async function warmUp(target: Target, scenario: Scenario, client: ClientKind): Promise<void> {
  const wave = 200;
  const held: Scenario = { ...scenario, latency: "default", maxTokens: 1 };
  const pending: Promise<BenchStream>[] = [];
  for (let i = 0; i < Math.max(scenario.concurrency, 20); i++) {
    if (i > 0 && i % wave === 0) await new Promise((r) => setTimeout(r, 30));
    const { headers, body } = requestFor(held, i, 0);
    headers["x-lab-timing"] = "first-token=300; token=0; jitter=0";
    pending.push(SEND[client](target, headers, body));
  }
  await Promise.all(pending);
}

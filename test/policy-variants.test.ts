// Each policy variant run by `npm run lab -- --policy FILE` (bin/lab.ts, spawned as the
// npm script spawns it), called as a user would, with the streaming effect Microsoft
// documents for it and the trace entries of the policies that ran.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { performance } from "node:perf_hooks";

interface LabInfo { gatewayUrl: string; managementUrl: string; apimServiceId: string; apiId: string; subscriptionKey: string; managementToken: string }
interface Arrival { ms: number; bytes: number }
interface Call { status: number; headers: Headers; body: string; arrivals: Arrival[]; trace?: Trace }
type Trace = { traceEntries: Record<string, { source: string; data: any }[] | undefined> };

const children: ChildProcessWithoutNullStreams[] = [];
after(() => children.forEach((c) => c.kill("SIGKILL")));

/**
 * `npm run lab -- --json --policy FILE` with a paced backend: 20 ms to the first token, then one
 * every `tokenMs` (±25 %), and no content filter holding text back, so only the policy shapes the stream.
 */
function startLab(policy: string, tokenMs: number): Promise<LabInfo> {
  const args = ["--json", "--policy", policy, "--first-token-ms", "20", "--token-ms", String(tokenMs), "--content-filter", "none"];
  const child = spawn(process.execPath, ["--import", "tsx", "bin/lab.ts", ...args]);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
      if (out.includes("\n")) resolve(warmedUp(JSON.parse(out.slice(0, out.indexOf("\n")))));
    });
    child.on("exit", (code) => reject(new Error(`lab exited with ${code}`)));
  });
}

async function arm(lab: LabInfo, action: string, body: object) {
  const res = await fetch(`${lab.managementUrl}${lab.apimServiceId}/gateways/managed/${action}?api-version=2023-05-01-preview`, {
    method: "POST", headers: { authorization: `Bearer ${lab.managementToken}`, "content-type": "application/json" }, body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

/**
 * One call through the buffered API first (its own policy, so no variant counts it): the
 * backend's tokenizer loads on its first request, which would make every token of the
 * first stream due at once.
 */
async function warmedUp(lab: LabInfo): Promise<LabInfo> {
  const res = await fetch(`${lab.gatewayUrl}/buffered/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
    method: "POST", headers: { "api-key": lab.subscriptionKey, "content-type": "application/json" }, body: JSON.stringify({ messages: [{ role: "user", content: "Say hi." }] }),
  });
  await res.text();
  return lab;
}

/** A traced chat call, its body's arrival times from the request's start, and its trace. */
async function chat(lab: LabInfo, content: string): Promise<Call> {
  const token = (await arm(lab, "listDebugCredentials", { credentialsExpireAfter: "PT1H", apiId: lab.apiId, purposes: ["tracing"] })).json.token;
  const started = performance.now();
  const res = await fetch(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
    method: "POST",
    headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "Apim-Debug-Authorization": token },
    body: JSON.stringify({ messages: [{ role: "user", content }], stream: true }),
  });
  const arrivals: Arrival[] = [];
  const parts: Buffer[] = [];
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    arrivals.push({ ms: performance.now() - started, bytes: chunk.length });
    parts.push(Buffer.from(chunk));
  }
  const traceId = res.headers.get("apim-trace-id");
  let trace: Trace | undefined;
  for (let i = 0; traceId && i < 40 && trace === undefined; i++) {
    const r = await arm(lab, "listTrace", { traceId });
    if (r.status === 200) trace = r.json;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { status: res.status, headers: res.headers, body: Buffer.concat(parts).toString(), arrivals, trace };
}

/** Arrivals closer than 5 ms belong to one piece (one write, maybe split by TCP). */
function pieces(arrivals: Arrival[]): Arrival[] {
  const out: Arrival[] = [];
  for (const a of arrivals) {
    const last = out[out.length - 1];
    if (last && a.ms - last.ms < 5) (last.bytes += a.bytes), (last.ms = a.ms);
    else out.push({ ...a });
  }
  return out;
}

const sources = (t: Trace | undefined, section: string) => (t?.traceEntries[section] ?? []).map((e) => e.source);
const entries = (t: Trace | undefined, source: string) => Object.values(t?.traceEntries ?? {}).flatMap((list) => list ?? []).filter((e) => e.source === source);
const SHORT = "Count to 40, with a comma between each number and no newlines.";
const LONG = "Count to 400, with a comma between each number and no newlines.";

const labs: Record<string, LabInfo> = {};
before(async () => {
  const files = ["openai.xml", "variants/buffer-response-true.xml", "variants/read-response-body.xml", "variants/validate-content.xml", "variants/token-limit.xml", "variants/emit-token-metric.xml", "variants/log-to-eventhub.xml", "variants/rate-limit.xml"];
  // 10 ms a token keeps relayed events apart (pieces() joins arrivals under 5 ms apart); the 8 KB case needs a long stream, quickly.
  const started = await Promise.all(files.map((f) => startLab(`policies/${f}`, f.includes("buffer-response") ? 2 : 10)));
  files.forEach((f, i) => (labs[f.replace(/^variants\//, "").replace(/\.xml$/, "")] = started[i]));
});

/** The body arrived in one piece, after the backend had finished: nothing was relayed. */
function wholeAtTheEnd(r: Call) {
  const p = pieces(r.arrivals);
  assert.equal(r.status, 200);
  assert.equal(p.length, 1, `expected the whole body in one piece, got ${p.length}: ${JSON.stringify(p.slice(0, 5))}`);
  assert.ok(r.body.endsWith("data: [DONE]\n\n"));
  // 40 numbers with commas: about 80 tokens at 10 ms after 20 ms; the first byte waits for them all.
  assert.ok(r.arrivals[0].ms >= 0.8 * (20 + 80 * 10), `first byte at ${r.arrivals[0].ms.toFixed(0)} ms`);
}

test("policies/openai.xml: events relayed as they come; the trace names the lab policy's steps", async () => {
  const r = await chat(labs.openai, SHORT);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-ms-stream"), "True");
  assert.ok(pieces(r.arrivals).length >= 20, `expected the events spread in time, got ${pieces(r.arrivals).length} pieces`);
  assert.deepEqual(sources(r.trace, "inbound"), ["api-inspector", "api-inspector", "authentication-managed-identity", "set-header", "set-backend-service", "choose", "set-variable"]);
  assert.deepEqual(sources(r.trace, "backend"), ["request-forwarder", "forward-request"]);
  assert.deepEqual(sources(r.trace, "outbound"), ["set-header", "transfer-response"]);
});

test("buffer-response=\"true\": the stream arrives in pieces of at least 8 KB, the remainder at the end", async () => {
  const r = await chat(labs["buffer-response-true"], LONG);
  const p = pieces(r.arrivals);
  assert.equal(r.status, 200);
  assert.ok(p.length >= 3, `a long stream in several pieces, got ${p.length}`);
  for (const piece of p.slice(0, -1)) assert.ok(piece.bytes >= 8192, `a piece of ${piece.bytes} bytes before the end`);
  assert.ok(p[p.length - 1].bytes < 8192 + 4096);
  assert.deepEqual(sources(r.trace, "backend"), ["request-forwarder", "forward-request"]);
});

test("an outbound set-body that reads the response body: the whole body at the end; the trace says set-body buffered", async () => {
  const r = await chat(labs["read-response-body"], SHORT);
  wholeAtTheEnd(r);
  assert.deepEqual(sources(r.trace, "outbound"), ["set-body", "set-body", "set-header", "transfer-response"]);
  const [buffered] = entries(r.trace, "set-body");
  assert.match(buffered.data.message, /read in full before this policy ran/);
  assert.equal(buffered.data.bytes, Buffer.byteLength(r.body));
});

test("validate-content on the response: the whole body at the end; the event stream is an unspecified content type (detect)", async () => {
  const r = await chat(labs["validate-content"], SHORT);
  wholeAtTheEnd(r);
  const [buffered, validated] = entries(r.trace, "validate-content");
  assert.match(buffered.data.message, /read in full/);
  assert.equal(validated.data.contentType, "text/event-stream");
  assert.equal(validated.data.errors[0].ValidationRule, "Unspecified");
});

test("log-to-eventhub with the response body: the whole body at the end; the event is in the trace", async () => {
  const r = await chat(labs["log-to-eventhub"], SHORT);
  wholeAtTheEnd(r);
  const [buffered, logged] = entries(r.trace, "log-to-eventhub");
  assert.match(buffered.data.message, /read in full/);
  assert.equal(logged.data.bytes, Buffer.byteLength(r.body));
  assert.ok(logged.data.event.startsWith("data: "));
});

test("llm-token-limit: within the budget the stream flows; over it, a 429 with Retry-After before any stream", async () => {
  const first = await chat(labs["token-limit"], "Count to 60, with a comma between each number and no newlines.");
  assert.equal(first.status, 200);
  assert.ok(pieces(first.arrivals).length >= 20, "the stream under a token limit is relayed as it comes");
  const [allowed] = entries(first.trace, "llm-token-limit");
  assert.equal(allowed.data.estimated, true, "a streamed prompt is estimated");
  assert.ok(Number(first.headers.get("x-ratelimit-remaining-tokens")) < 100);
  const counted = entries(first.trace, "llm-token-limit")[1];
  assert.ok(counted.data.total > 100, `about 140 tokens counted, got ${counted.data.total}`);

  const second = await chat(labs["token-limit"], SHORT);
  assert.equal(second.status, 429);
  assert.match(second.headers.get("content-type") ?? "", /^application\/json/);
  const retryAfter = Number(second.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.deepEqual(JSON.parse(second.body), { statusCode: 429, message: `Token limit is exceeded. Try again in ${retryAfter} seconds.` });
  assert.equal(second.headers.get("x-ratelimit-remaining-tokens"), "0");
  assert.equal(second.trace?.traceEntries.backend, undefined, "the backend was never called");
  assert.equal(entries(second.trace, "llm-token-limit")[1].data.reason, "TokenLimitExceeded");
});

test("azure-openai-emit-token-metric: the stream is relayed as it comes; the metric, estimated, is in the trace", async () => {
  const r = await chat(labs["emit-token-metric"], SHORT);
  assert.ok(pieces(r.arrivals).length >= 20);
  const [metric] = entries(r.trace, "azure-openai-emit-token-metric");
  assert.equal(metric.data.namespace, "openai");
  assert.equal(metric.data.dimensions["API ID"], "openai");
  assert.equal(metric.data.estimated, true);
  assert.ok(metric.data.metrics["Completion Tokens"] >= 60, JSON.stringify(metric.data.metrics));
  assert.equal(metric.data.metrics["Total Tokens"], metric.data.metrics["Prompt Tokens"] + metric.data.metrics["Completion Tokens"]);
});

test("rate-limit: five calls a minute; the sixth gets APIM's 429 with Retry-After", async () => {
  for (let i = 0; i < 5; i++) {
    const r = await chat(labs["rate-limit"], "Say hi.");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-ratelimit-remaining-calls"), String(4 - i));
  }
  const denied = await chat(labs["rate-limit"], "Say hi.");
  assert.equal(denied.status, 429);
  const retryAfter = Number(denied.headers.get("retry-after"));
  assert.deepEqual(JSON.parse(denied.body), { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.` });
  assert.equal(entries(denied.trace, "rate-limit")[1].data.reason, "RateLimitExceeded");
});

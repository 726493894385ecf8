// The whole local lab through the real backend: the openai package and raw HTTP via the
// gateway, the management API with the lab's credential, and several labs in one process.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { performance } from "node:perf_hooks";
import { AzureOpenAI } from "openai";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { ListenError } from "../lib/local-lab/listen";

const MODEL = "gpt-4o-mini";
const API_VERSION = "2024-10-21";
const COUNT = "Count to 20, with a comma between each number and no newlines. E.g., 1, 2, 3, ...";
const TOKEN_MS = 15;

let lab: LocalLab;
before(async () => {
  lab = await startLocalLab({ timing: { firstTokenMs: 50, tokenMs: TOKEN_MS, jitter: 0 } });
});
after(() => lab.close());

async function arm(l: LocalLab, path: string, body?: object) {
  const token = (await l.credential.getToken("https://management.azure.com/.default"))!.token;
  const res = await fetch(`${l.managementUrl}${path}?api-version=2023-05-01-preview`, {
    method: body ? "POST" : "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as any };
}

const debugToken = async (l: LocalLab, apiId = l.apiId) =>
  (await arm(l, `${l.apimServiceId}/gateways/managed/listDebugCredentials`, { credentialsExpireAfter: "PT1H", apiId, purposes: ["tracing"] })).json.token as string;

/** The notebook retries briefly too: a trace is stored once its response has been sent. */
async function listTrace(l: LocalLab, traceId: string) {
  for (let i = 0; ; i++) {
    const r = await arm(l, `${l.apimServiceId}/gateways/managed/listTrace`, { traceId });
    if (r.status !== 404 || i === 20) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

const client = (l: LocalLab, suffix = "") => new AzureOpenAI({ endpoint: l.gatewayUrl + suffix, apiKey: l.subscriptionKey, apiVersion: API_VERSION });

test("AzureOpenAI through the gateway, asynchronous filter: streamed deltas spread in time, x-ms-stream True, a complete trace", async () => {
  const token = await debugToken(lab);
  const started = performance.now();
  // The asynchronous filter sends each token when it is ready (the default holds them for bursts).
  const headers = { "Apim-Debug-Authorization": token, "x-lab-content-filter": "asynchronous" };
  const { data: stream, response } = await client(lab)
    .chat.completions.create({ model: MODEL, messages: [{ role: "user", content: COUNT }], stream: true }, { headers })
    .withResponse();
  assert.equal(response.headers.get("x-ms-stream"), "True");
  assert.ok(response.headers.get("x-ms-region"));
  const traceId = response.headers.get("apim-trace-id");
  assert.ok(traceId);
  const times: number[] = [];
  let text = "";
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) {
      times.push(performance.now() - started);
      text += delta;
    }
  }
  assert.match(text, /^1, 2, 3, .*20/);
  assert.ok(times.length >= 10, `${times.length} content chunks`);
  // Relayed, the deltas keep the backend's pace; a buffering hop would deliver them at
  // once (span near 0). Half the planned span leaves room for a loaded machine, where a
  // late first read catches up (seen: 524 of 855 ms while other suites ran).
  const span = times[times.length - 1] - times[0];
  const planned = (times.length - 1) * TOKEN_MS;
  assert.ok(span >= 0.5 * planned, `content chunks spread over ${span.toFixed(0)} ms, backend planned ${planned} ms`);

  const { status, json: trace } = await listTrace(lab, traceId);
  assert.equal(status, 200);
  assert.equal(trace.traceId, traceId);
  assert.deepEqual(Object.keys(trace.traceEntries), ["inbound", "backend", "outbound"]);
  assert.deepEqual(trace.traceEntries.outbound.map((e: { source: string }) => e.source), ["set-header", "transfer-response"]);
  const forwarded = trace.traceEntries.backend[0].data.request.headers as { name: string; value: string }[];
  assert.ok(!forwarded.some((h) => h.value.includes(lab.subscriptionKey)), "the caller's key is not in the forwarded request");
});

test("AzureOpenAI without stream: x-ms-stream False", async () => {
  const { data, response } = await client(lab)
    .chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Count to 3." }] }, { headers: { "x-lab-timing": "none" } })
    .withResponse();
  assert.equal(response.headers.get("x-ms-stream"), "False");
  assert.equal(data.object, "chat.completion");
  assert.ok(data.usage && data.usage.total_tokens > 0);
});

/** Raw POST that records when each network chunk arrived. */
function rawStream(url: string, headers: Record<string, string>, body: object, abortAfterChunks?: number) {
  return new Promise<{ status: number; headers: Record<string, unknown>; arrivals: { ms: number; bytes: number }[]; abortedAt?: number }>((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      const arrivals: { ms: number; bytes: number }[] = [];
      res.on("data", (c: Buffer) => {
        arrivals.push({ ms: performance.now() - started, bytes: c.length });
        if (arrivals.length === abortAfterChunks) {
          const abortedAt = performance.now();
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, arrivals, abortedAt });
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, arrivals }));
    });
    req.on("error", (e) => (abortAfterChunks ? undefined : reject(e)));
    req.end(JSON.stringify(body));
  });
}

const chatUrl = (l: LocalLab, prefix = "") => `${l.gatewayUrl}${prefix}/openai/deployments/${MODEL}/chat/completions?api-version=${API_VERSION}`;

test("side by side: the /buffered API sends 8 KB pieces, the main API relays every event", async () => {
  const body = { messages: [{ role: "user", content: "Count to 100, with a comma between each number and no newlines. E.g., 1, 2, 3, ..." }], stream: true };
  // No content filter holding text back: only the gateway's buffering shapes these streams.
  const headers = { "api-key": lab.subscriptionKey, "x-lab-timing": "first-token=0; token=3; jitter=0", "x-lab-content-filter": "none" };
  const relayed = await rawStream(chatUrl(lab), headers, body);
  const buffered = await rawStream(chatUrl(lab, "/buffered"), headers, body);
  assert.equal(buffered.headers["x-ms-stream"], "True");
  const total = (a: { bytes: number }[]) => a.reduce((n, x) => n + x.bytes, 0);
  assert.equal(total(buffered.arrivals), total(relayed.arrivals));
  assert.ok(total(buffered.arrivals) > 3 * 8192, `body of ${total(buffered.arrivals)} bytes`);
  // Arrivals within 2 ms of each other are one piece that TCP happened to split.
  const pieces: { ms: number; bytes: number }[] = [];
  for (const a of buffered.arrivals) {
    const last = pieces[pieces.length - 1];
    if (last && a.ms - last.ms < 2) (last.bytes += a.bytes), (last.ms = a.ms);
    else pieces.push({ ...a });
  }
  for (const p of pieces.slice(0, -1)) assert.ok(p.bytes >= 8192, `piece of ${p.bytes} bytes`);
  assert.ok(relayed.arrivals.length > 4 * pieces.length, `relayed ${relayed.arrivals.length} arrivals, buffered ${pieces.length} pieces`);
  console.log(`# buffered pieces through the real backend (bytes): ${pieces.map((p) => p.bytes).join(", ")}; relayed arrivals: ${relayed.arrivals.length}`);
  // The SDK works against the buffered API unchanged: only the endpoint differs.
  const reply = await client(lab, "/buffered").chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Count to 5." }], stream: true }, { headers: { "x-lab-timing": "none" } });
  let text = "";
  for await (const c of reply) text += c.choices[0]?.delta?.content ?? "";
  assert.match(text, /1, 2, 3, 4, 5/);
});

test("a client abort stops the backend's generation within 100 ms", async () => {
  const r = await rawStream(chatUrl(lab), { "api-key": lab.subscriptionKey, "x-lab-timing": "first-token=0; token=20" }, {
    messages: [{ role: "user", content: "Count to 500, with a comma between each number." }], stream: true,
  }, 5);
  assert.ok(r.abortedAt);
  let stoppedAt = performance.now();
  while (lab.activeBackendStreams() > 0 && performance.now() - r.abortedAt! < 1000) {
    await new Promise((res) => setTimeout(res, 1));
    stoppedAt = performance.now();
  }
  assert.equal(lab.activeBackendStreams(), 0);
  const ms = stoppedAt - r.abortedAt!;
  console.log(`# abort stopped the backend's generation after ${ms.toFixed(1)} ms`);
  assert.ok(ms < 100, `generation stopped ${ms.toFixed(1)} ms after the abort`);
});

test("deployment outputs read through the management API lead to this lab's gateway", async () => {
  const { status, json } = await arm(lab, `/subscriptions/${lab.subscriptionId}/resourcegroups/${lab.resourceGroup}/providers/Microsoft.Resources/deployments/${lab.deploymentName}`);
  assert.equal(status, 200);
  assert.equal(json.properties.outputs.apimResourceGatewayURL.value, lab.gatewayUrl);
  assert.equal(json.properties.outputs.apimSubscriptionKey.value, lab.subscriptionKey);
  assert.equal(json.properties.outputs.apimServiceId.value, lab.apimServiceId);
  assert.equal(lab.apiId, `${lab.apimServiceId}/apis/openai`);
  assert.equal(lab.bufferedApiId, `${lab.apimServiceId}/apis/openai-buffered`);
  assert.equal(lab.resourceGroup, "lab-streaming");
  const t = await lab.credential.getToken([]);
  assert.ok(t && t.token === lab.managementToken && t.expiresOnTimestamp > Date.now());
});

test("two labs in one process are independent; close() twice is harmless; the trace store is bounded", async () => {
  const other = await startLocalLab({ deploymentName: "second", timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0 }, traceCapacity: 2, bufferResponse: true });
  try {
    assert.notEqual(other.gatewayUrl, lab.gatewayUrl);
    assert.notEqual(other.subscriptionKey, lab.subscriptionKey);
    assert.equal(other.resourceGroup, "lab-second");
    const wrongKey = await rawStream(chatUrl(other), { "api-key": lab.subscriptionKey }, { messages: [], stream: true });
    assert.equal(wrongKey.status, 401);
    const denied = await fetch(`${other.managementUrl}${other.apimServiceId}/gateways/managed/listTrace?api-version=2023-05-01-preview`, {
      method: "POST", headers: { authorization: `Bearer ${lab.managementToken}` }, body: "{}",
    });
    assert.equal(denied.status, 401);
    const token = await debugToken(other);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await rawStream(chatUrl(other), { "api-key": other.subscriptionKey, "Apim-Debug-Authorization": token }, { messages: [{ role: "user", content: "hi" }], stream: true });
      assert.equal(r.status, 200);
      ids.push(String(r.headers["apim-trace-id"]));
    }
    await new Promise((res) => setTimeout(res, 20));
    assert.equal((await arm(other, `${other.apimServiceId}/gateways/managed/listTrace`, { traceId: ids[0] })).status, 404, "oldest dropped");
    assert.equal((await listTrace(other, ids[2])).status, 200);
  } finally {
    await other.close();
    await other.close();
  }
  const still = await rawStream(chatUrl(lab), { "api-key": lab.subscriptionKey, "x-lab-timing": "none" }, { messages: [{ role: "user", content: "hi" }], stream: true });
  assert.equal(still.status, 200);
});

test("a port in use is named with its server and the option that sets its port", async () => {
  // The running lab's own ports are taken: each server in turn finds its port in use.
  const taken = { backendPort: new URL(lab.backendUrl).port, gatewayPort: new URL(lab.gatewayUrl).port, managementPort: new URL(lab.managementUrl).port };
  for (const [server, option, label] of [["backend", "backendPort", "backend"], ["gateway", "gatewayPort", "gateway"], ["management", "managementPort", "management API"]] as const) {
    const port = Number(taken[option]);
    const error = await startLocalLab({ [option]: port }).then(
      (started) => started.close().then(() => assert.fail(`${option} ${port} was free`)),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ListenError, String(error));
    assert.equal(error.server, server);
    assert.equal(error.option, option);
    assert.equal(error.message, `the local lab's ${label} could not listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE): choose another ${option}, or 0 for a free one`);
  }
});

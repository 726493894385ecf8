/**
 * Subscription keys as APIM takes them: the `api-key` header, then the
 * `Ocp-Apim-Subscription-Key` header, then the `subscription-key` query parameter; and
 * the key, from wherever it came, reaches neither the backend nor the trace's forwarded request.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { after, before, test } from "node:test";
import { OPENAI_OPERATIONS } from "../lib/local-lab/gateway/apis";
import { startGateway, type GatewayServer } from "../lib/local-lab/gateway/server";
import { takeSubscriptionKey } from "../lib/local-lab/gateway/subscription-key";
import { listen, type Listening } from "../lib/local-lab/listen";
import { signDebugToken } from "../lib/local-lab/trace/debug-token";
import { createTraceStore } from "../lib/local-lab/trace/store";
import type { TraceDocument } from "../lib/schema";

const KEY = "the-callers-subscription-key";
const API_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/openai";
const SIGNING = Buffer.alloc(32, 9);
const PATH = "/openai/deployments/gpt/chat/completions";

const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let backend: Listening;
let gateway: GatewayServer;
const traces: TraceDocument[] = [];

before(async () => {
  backend = await listen(
    createServer((req, res) => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      req.resume().on("end", () => res.end("{}"));
    }),
  );
  const store = createTraceStore(10);
  gateway = await startGateway({
    traceServiceName: "apim.azure-api.net",
    apis: [{ id: API_ID, name: "openai", path: "openai", serviceUrl: `${backend.url}/openai`, bufferResponse: false, operations: [...OPENAI_OPERATIONS] }],
    subscriptionKey: KEY,
    debugTokenKey: SIGNING,
    backendToken: "backend-token",
    traceStore: { ...store, put: (t) => (traces.push(t), store.put(t)) },
  });
});
after(async () => {
  await gateway.close();
  await backend.close();
});

const token = () => signDebugToken({ apiId: API_ID, expiresAt: Date.now() + 60_000, purposes: ["tracing"] }, SIGNING);

async function call(query: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${gateway.url}${PATH}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", "apim-debug-authorization": token(), ...headers },
    body: JSON.stringify({ messages: [] }),
  });
  await res.arrayBuffer();
  return res.status;
}

test("a key in the subscription-key query parameter is accepted, as APIM accepts it by default", async () => {
  assert.equal(await call(`?api-version=2024-10-21&subscription-key=${KEY}`), 200);
  assert.equal(await call(`?subscription-key=wrong&api-version=2024-10-21`), 401);
});

test("the query's key is removed from the backend request and from every URL in the trace, the rest of the query kept", async () => {
  seen.length = 0;
  traces.length = 0;
  assert.equal(await call(`?api-version=2024-10-21&subscription-key=${KEY}&x=1&subscription-key=again`), 200);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].url, "/openai/deployments/gpt/chat/completions?api-version=2024-10-21&x=1");
  const inbound = traces[0].traceEntries.inbound!;
  const backendEntries = traces[0].traceEntries.backend!;
  const forwarded = backendEntries.find((e) => e.source === "request-forwarder")!.data as { request: { url: string } };
  assert.equal(forwarded.request.url, `${backend.url}/openai/deployments/gpt/chat/completions?api-version=2024-10-21&x=1`);
  const changed = inbound.find((e) => e.source === "set-backend-service")!.data as { request: { url: string } };
  assert.equal(changed.request.url, forwarded.request.url);
  assert.ok(!JSON.stringify(backendEntries).includes(KEY), "no key in the trace's backend section");
  for (const value of Object.values(seen[0].headers)) assert.ok(!String(value).includes(KEY), "no key in a forwarded header");
});

test("a header key wins over the query parameter: api-key, then Ocp-Apim-Subscription-Key, then subscription-key", async () => {
  assert.equal(await call(`?api-version=2024-10-21&subscription-key=wrong`, { "api-key": KEY }), 200);
  assert.equal(await call(`?api-version=2024-10-21&subscription-key=${KEY}`, { "api-key": "wrong" }), 401);
  assert.equal(await call(`?api-version=2024-10-21&subscription-key=wrong`, { "ocp-apim-subscription-key": KEY }), 200);
  assert.equal(await call(`?api-version=2024-10-21`, { "api-key": KEY, "ocp-apim-subscription-key": "wrong" }), 200);
  assert.equal(await call(`?api-version=2024-10-21`, { "api-key": "wrong", "ocp-apim-subscription-key": KEY }), 401);
  // No key anywhere: APIM's "missing" 401.
  assert.equal(await call(`?api-version=2024-10-21`), 401);
});

test("takeSubscriptionKey reads the first value, decodes the name, and keeps the rest of the query as sent", () => {
  assert.deepEqual(takeSubscriptionKey({}, "?a=%41&subscription-key=k1&b=2&subscription-key=k2"), { key: "k1", search: "?a=%41&b=2" });
  assert.deepEqual(takeSubscriptionKey({}, "?%73ubscription-key=k"), { key: "k", search: "" });
  assert.deepEqual(takeSubscriptionKey({}, "?subscription-key"), { key: "", search: "" });
  assert.deepEqual(takeSubscriptionKey({}, "?subscription-keys=x"), { key: undefined, search: "?subscription-keys=x" });
  assert.deepEqual(takeSubscriptionKey({ "ocp-apim-subscription-key": "o" }, ""), { key: "o", search: "" });
  assert.deepEqual(takeSubscriptionKey({ "api-key": "a", "ocp-apim-subscription-key": "o" }, "?subscription-key=q"), { key: "a", search: "" });
});

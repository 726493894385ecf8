// The management API (ARM subset) on its own: deployments, debug credentials, traces,
// and every error the notebook's management client has to recognise.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startManagement, type ManagementServer } from "../lib/local-lab/management/server";
import { createTraceStore } from "../lib/local-lab/trace/store";
import { verifyDebugToken } from "../lib/local-lab/trace/debug-token";

const TOKEN = "management-token-abc";
const SIGNING = Buffer.alloc(32, 9);
const SUB = "6c6f6361-6c6c-4162-8000-000000000000";
const RG = "lab-streaming";
const SERVICE_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/apim-local-lab`;
const API_ID = `${SERVICE_ID}/apis/openai`;
const store = createTraceStore(10);
store.put({ serviceName: "apim-local-lab.azure-api.net", traceId: "trace-1", traceEntries: { inbound: [] } });

let server: ManagementServer;
before(async () => {
  server = await startManagement({
  token: TOKEN,
  subscriptionId: SUB,
  resourceGroup: RG,
  deploymentName: "streaming",
  serviceName: "apim-local-lab",
  apis: [{ id: API_ID, name: "openai" }, { id: `${SERVICE_ID}/apis/openai-buffered`, name: "openai-buffered" }],
  outputs: () => ({ apimServiceId: SERVICE_ID, apimSubscriptionKey: "sub-key", apimResourceGatewayURL: "http://127.0.0.1:1" }),
  debugTokenKey: SIGNING,
  traceStore: store,
  });
});
after(() => server.close());

const V = "?api-version=2023-05-01-preview";
const DEPLOYMENT = `/subscriptions/${SUB}/resourcegroups/${RG}/providers/Microsoft.Resources/deployments/streaming`;
const CREDENTIALS = `${SERVICE_ID}/gateways/managed/listDebugCredentials${V}`;
const TRACE = `${SERVICE_ID}/gateways/managed/listTrace${V}`;

async function call(path: string, init: { method?: string; body?: unknown; token?: string | null; raw?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  const res = await fetch(server.url + path, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? "POST" : "GET"),
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  return { status: res.status, json: (await res.json()) as any };
}

/** Every error in ARM's shape, with the expected status and code. */
async function expectError(p: Promise<{ status: number; json: any }>, status: number, code: string, target?: string) {
  const { status: got, json } = await p;
  assert.equal(got, status, JSON.stringify(json));
  assert.equal(json.error.code, code);
  assert.equal(typeof json.error.message, "string");
  assert.ok(json.error.message.length > 10);
  if (target) assert.equal(json.error.details[0].target, target);
  return json.error.message as string;
}

test("GET deployment: outputs as ARM returns them, az-style and SDK-style paths alike", async () => {
  for (const path of [
    DEPLOYMENT + "?api-version=2022-09-01", // az deployment group show
    DEPLOYMENT.replace("resourcegroups", "resourceGroups") + "?api-version=2024-03-01", // @azure/arm-resources
    DEPLOYMENT.toUpperCase().replace(SUB.toUpperCase(), SUB) + "?api-version=2021-04-01",
  ]) {
    const { status, json } = await call(path);
    assert.equal(status, 200, path);
    assert.equal(json.name, "streaming");
    assert.equal(json.properties.provisioningState, "Succeeded");
    assert.deepEqual(json.properties.outputs, {
      apimServiceId: { type: "String", value: SERVICE_ID },
      apimSubscriptionKey: { type: "String", value: "sub-key" },
      apimResourceGatewayURL: { type: "String", value: "http://127.0.0.1:1" },
    });
  }
});

test("unknown deployment, resource group, subscription, service: 404 with ARM's codes", async () => {
  const msg = await expectError(call(DEPLOYMENT.replace("/streaming", "/other") + V), 404, "DeploymentNotFound");
  assert.match(msg, /'other'/);
  assert.match(await expectError(call(DEPLOYMENT.replace(RG, "lab-nope") + V), 404, "ResourceGroupNotFound"), /lab-nope/);
  await expectError(call(DEPLOYMENT.replace(SUB, "00000000-0000-0000-0000-000000000000") + V), 404, "SubscriptionNotFound");
  await expectError(call(CREDENTIALS.replace("apim-local-lab", "apim-other"), { body: { apiId: API_ID, purposes: ["tracing"] } }), 404, "ResourceNotFound");
  await expectError(call(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Web/sites/x${V}`), 404, "NotFound");
});

test("authentication: missing, malformed and wrong tokens get 401 before anything else", async () => {
  await expectError(call(DEPLOYMENT + V, { token: null }), 401, "AuthenticationFailed");
  await expectError(call(DEPLOYMENT.replace(RG, "lab-nope") + V, { token: "wrong" }), 401, "InvalidAuthenticationToken");
  await expectError(call(CREDENTIALS, { token: "wrong", body: { apiId: API_ID, purposes: ["tracing"] } }), 401, "InvalidAuthenticationToken");
  await expectError(call(TRACE, { token: null, body: { traceId: "trace-1" } }), 401, "AuthenticationFailed");
  const res = await fetch(server.url + DEPLOYMENT + V, { headers: { authorization: `Basic ${TOKEN}` } });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as any).error.code, "AuthenticationFailed");
});

test("api-version is required", async () => {
  await expectError(call(DEPLOYMENT), 400, "MissingApiVersionParameter");
});

test("listDebugCredentials: a token for the API, expiring as asked (default and most PT1H)", async () => {
  const before = Date.now();
  const { status, json } = await call(CREDENTIALS, { body: { credentialsExpireAfter: "PT1H", apiId: API_ID, purposes: ["tracing"] } });
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(json), ["token"]);
  const check = verifyDebugToken(json.token, SIGNING, { apiId: API_ID });
  assert.equal(check.status, "valid");
  if (check.status !== "valid") return;
  assert.ok(Math.abs(check.claims.expiresAt - (before + 3_600_000)) < 5000);
  const short = await call(CREDENTIALS.replace("listDebugCredentials", "LISTDEBUGCREDENTIALS"), { body: { credentialsExpireAfter: "PT5M", apiId: API_ID.toLowerCase(), purposes: ["tracing"] } });
  assert.equal(short.status, 200);
  const c2 = verifyDebugToken(short.json.token, SIGNING, { apiId: API_ID });
  assert.ok(c2.status === "valid" && Math.abs(c2.claims.expiresAt - (before + 300_000)) < 5000);
  const byDefault = await call(CREDENTIALS, { body: { apiId: API_ID, purposes: ["tracing"] } });
  const c3 = verifyDebugToken(byDefault.json.token, SIGNING, { apiId: API_ID });
  assert.ok(c3.status === "valid" && Math.abs(c3.claims.expiresAt - (before + 3_600_000)) < 5000);
});

test("listDebugCredentials validates its body as Azure does", async () => {
  const body = (o: object) => ({ body: { credentialsExpireAfter: "PT1H", apiId: API_ID, purposes: ["tracing"], ...o } });
  await expectError(call(CREDENTIALS, body({ credentialsExpireAfter: "1 hour" })), 400, "ValidationError", "credentialsExpireAfter");
  await expectError(call(CREDENTIALS, body({ credentialsExpireAfter: "PT2H" })), 400, "ValidationError", "credentialsExpireAfter");
  await expectError(call(CREDENTIALS, body({ credentialsExpireAfter: "PT61M" })), 400, "ValidationError", "credentialsExpireAfter");
  await expectError(call(CREDENTIALS, body({ credentialsExpireAfter: "PT0S" })), 400, "ValidationError", "credentialsExpireAfter");
  await expectError(call(CREDENTIALS, body({ credentialsExpireAfter: 3600 })), 400, "ValidationError", "credentialsExpireAfter");
  await expectError(call(CREDENTIALS, body({ purposes: ["logging"] })), 400, "ValidationError", "purposes");
  await expectError(call(CREDENTIALS, body({ purposes: [] })), 400, "ValidationError", "purposes");
  await expectError(call(CREDENTIALS, body({ purposes: "tracing" })), 400, "ValidationError", "purposes");
  await expectError(call(CREDENTIALS, { body: { apiId: API_ID } }), 400, "ValidationError", "purposes");
  await expectError(call(CREDENTIALS, body({ apiId: undefined })), 400, "ValidationError", "apiId");
  await expectError(call(CREDENTIALS, body({ apiId: "openai" })), 400, "ValidationError", "apiId");
  await expectError(call(CREDENTIALS, body({ apiId: SERVICE_ID })), 400, "ValidationError", "apiId");
  assert.match(await expectError(call(CREDENTIALS, body({ apiId: `${SERVICE_ID}/apis/nope` })), 404, "ResourceNotFound"), /nope/);
  await expectError(call(CREDENTIALS, { raw: "{not json" }), 400, "InvalidRequestContent");
  await expectError(call(CREDENTIALS, { raw: "[]" }), 400, "InvalidRequestContent");
  await expectError(call(CREDENTIALS, { method: "GET" }), 405, "MethodNotAllowed");
  await expectError(call(CREDENTIALS.replace("/managed/", "/selfhosted/"), body({})), 404, "ResourceNotFound");
});

test("listTrace: the stored trace, 404 for an unknown id, 400 without one", async () => {
  const { status, json } = await call(TRACE, { body: { traceId: "trace-1" } });
  assert.equal(status, 200);
  assert.deepEqual(json, { serviceName: "apim-local-lab.azure-api.net", traceId: "trace-1", traceEntries: { inbound: [] } });
  assert.match(await expectError(call(TRACE, { body: { traceId: "nope" } }), 404, "ResourceNotFound"), /nope/);
  await expectError(call(TRACE, { body: {} }), 400, "ValidationError", "traceId");
  await expectError(call(TRACE.replace("listTrace", "listSomething"), { body: { traceId: "trace-1" } }), 404, "NotFound");
});

test("every answer carries ARM's request ids; a body over 1 MiB is a 413 in ARM's shape", async () => {
  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const answers = [
    await fetch(server.url + DEPLOYMENT + V, { headers: { authorization: `Bearer ${TOKEN}` } }),
    await fetch(server.url + DEPLOYMENT + V),
  ];
  for (const res of answers) {
    assert.match(res.headers.get("x-ms-request-id") ?? "", GUID);
    assert.match(res.headers.get("x-ms-correlation-request-id") ?? "", GUID);
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
    await res.text();
  }
  const big = await fetch(server.url + TRACE, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: "x".repeat(1024 * 1024 + 1),
  });
  assert.equal(big.status, 413);
  assert.deepEqual(await big.json(), { error: { code: "RequestEntityTooLarge", message: "The request body is too large." } });
});

/**
 * The Azure path of the notebook (ManagementClient + a TokenCredential + ARM's paths)
 * against the local lab's management endpoint: the same code that talks to Azure
 * Resource Manager, pointed at the stand-in.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { rejection } from "./fixtures/rejection";
import { connect } from "../lib/connect";
import { ManagementClient } from "../lib/management";
import { loadSettings } from "../lib/settings";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { ZERO_LATENCY } from "../lib/local-lab/backend/index";

let lab: LocalLab;
let client: ManagementClient;

before(async () => {
  lab = await startLocalLab({ deploymentName: "streaming", timing: ZERO_LATENCY });
  client = new ManagementClient({ endpoint: lab.managementUrl, credential: lab.credential });
});
after(() => lab.close());

test("connect() on the azure target uses the given endpoint, subscription and credential", async () => {
  const settings = loadSettings({ target: "azure", managementEndpoint: lab.managementUrl, subscriptionId: lab.subscriptionId }, {});
  const connection = await connect(settings, { credential: lab.credential });
  assert.equal(connection.localLab, undefined);
  const outputs = await connection.management.getDeploymentOutputs(connection.subscriptionId, "lab-streaming", "streaming");
  assert.equal(outputs.apimServiceId, lab.apimServiceId);
  assert.equal(outputs.apimResourceGatewayURL, lab.gatewayUrl);
  assert.equal(outputs.apimSubscriptionKey, lab.subscriptionKey);
});

test("deployment not found in the resource group", async () => {
  const error = await rejection(client.getDeploymentOutputs(lab.subscriptionId, "lab-streaming", "semantic-caching"));
  assert.equal(error.code, "DeploymentNotFound");
  assert.equal(error.status, 404);
  assert.equal(error.message, "deployment semantic-caching not found in resource group lab-streaming: check deploymentName, or deploy the lab first");
});

test("resource group not found", async () => {
  const error = await rejection(client.getDeploymentOutputs(lab.subscriptionId, "lab-nope", "streaming"));
  assert.equal(error.code, "ResourceGroupNotFound");
  assert.equal(error.message, `resource group lab-nope not found in subscription ${lab.subscriptionId}: check resourceGroup (or deploymentName, which names it lab-<deploymentName>)`);
});

test("a token the management API does not accept", async () => {
  const wrong = new ManagementClient({ endpoint: lab.managementUrl, credential: { getToken: async () => ({ token: "not-the-lab-token", expiresOnTimestamp: Date.now() + 60_000 }) } });
  const error = await rejection(wrong.getDeploymentOutputs(lab.subscriptionId, "lab-streaming", "streaming"));
  assert.equal(error.code, "Unauthorized");
  assert.equal(error.status, 401);
});

test("debug token, a traced call, its trace; an unknown trace id", async () => {
  const token = await client.listDebugCredentials(lab.apimServiceId, lab.apiId, "PT1H");
  const response = await fetch(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
    method: "POST",
    headers: { "api-key": lab.subscriptionKey, "Apim-Debug-Authorization": token, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }], stream: true }),
  });
  const traceId = response.headers.get("Apim-Trace-Id");
  assert.ok(traceId);
  await response.text();
  const trace = await client.listTrace(lab.apimServiceId, traceId);
  assert.equal(trace.traceId, traceId);
  assert.deepEqual(Object.keys(trace.traceEntries), ["inbound", "backend", "outbound"]);

  const error = await rejection(client.listTrace(lab.apimServiceId, "00000000-0000-0000-0000-000000000000", { waitMs: 100, intervalMs: 50 }));
  assert.equal(error.code, "TraceNotFound");
});

test("a debug token for an API that does not exist is refused with ARM's message", async () => {
  const error = await rejection(client.listDebugCredentials(lab.apimServiceId, `${lab.apimServiceId}/apis/nope`));
  assert.equal(error.code, "RequestFailed");
  assert.equal(error.status, 404);
  assert.match(error.message, /^POST .*\/listDebugCredentials failed with 404 ResourceNotFound: /);
});

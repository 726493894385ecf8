/**
 * Management errors not covered by management-client*.test.ts, against the local lab's
 * real endpoints: a subscription that is not there, and a debug token that expired
 * by the time the call went through the gateway.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkDebugHeaders, ManagementClient, ManagementError } from "../lib/management";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { describeError } from "../lib/errors";

let lab: LocalLab;
let client: ManagementClient;

before(async () => {
  lab = await startLocalLab({ timing: ZERO_LATENCY });
  client = new ManagementClient({ endpoint: lab.managementUrl, credential: lab.credential });
});
after(() => lab.close());

test("a subscription the login does not have: NoSubscription, saying what to do", async () => {
  const other = "00000000-1111-2222-3333-444444444444";
  await assert.rejects(client.getDeploymentOutputs(other, lab.resourceGroup, lab.deploymentName), (error: unknown) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.code, "NoSubscription");
    assert.equal(error.status, 404);
    assert.equal(error.serviceCode, "SubscriptionNotFound");
    assert.equal(error.message, `subscription ${other} not found for this login: check AZURE_SUBSCRIPTION_ID, or run \`az account set --subscription <id>\``);
    return true;
  });
});

test("a debug token that expired: the gateway still serves, says so in a header, and keeps no trace", { timeout: 10_000 }, async () => {
  const token = await client.listDebugCredentials(lab.apimServiceId, lab.apiId, "PT1S");
  assert.ok(lab.issuedSecrets().includes(token), "the lab records the tokens it issued");
  // Bounded: the token lives one second.
  await new Promise((r) => setTimeout(r, 1_100));
  const res = await fetch(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
    method: "POST",
    headers: { "api-key": lab.subscriptionKey, "Apim-Debug-Authorization": token, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }], stream: true }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Apim-Debug-Authorization-Expired"), "true");
  assert.equal(res.headers.get("Apim-Trace-Id"), null);
  assert.ok((await res.text()).endsWith("data: [DONE]\n\n"));
  let thrown: unknown;
  try {
    checkDebugHeaders(res.headers);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof ManagementError);
  assert.equal(thrown.code, "DebugTokenExpired");
  assert.equal(describeError(thrown), "ManagementError: debug token expired: run step 2 again to get a new one");
});

test("debug token lifetimes the management API refuses: ARM's ValidationError in one line", async () => {
  await assert.rejects(client.listDebugCredentials(lab.apimServiceId, lab.apiId, "PT2H"), (error: unknown) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.status, 400);
    assert.equal(error.message, `POST ${lab.apimServiceId}/gateways/managed/listDebugCredentials failed with 400 ValidationError: credentialsExpireAfter 'PT2H' must be greater than zero and at most PT1H.`);
    return true;
  });
});

/**
 * The management client's error messages, one test each. Failures a real endpoint
 * cannot be made to produce here (a credential that throws, a refused connection,
 * a deployment without outputs) use a fake `fetch`; the calls against the local
 * lab's management endpoint are in management-client-lab.test.ts.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import test from "node:test";
import { rejection } from "./fixtures/rejection";
import { checkDebugHeaders, ManagementClient, ManagementError } from "../lib/management";

const credential = { getToken: async () => ({ token: "test-token-123456789", expiresOnTimestamp: Date.now() + 3600_000 }) };

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit }[] = []): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
}

test("not signed in: the credential fails, and its cause is kept whole, however long its first line", async () => {
  const cause = "ERROR: AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on 2026-11-30 and the maximum allowed lifetime for this request is 1 day.";
  const client = new ManagementClient({ endpoint: "https://arm.example", credential: { getToken: async () => { throw new Error(`${cause}\nmore`); } }, fetch: fakeFetch(200, {}) });
  const error = await rejection(client.getDeploymentOutputs("sub", "rg", "dep"));
  assert.equal(error.code, "NotSignedIn");
  assert.equal(error.message, `not signed in to Azure: run \`az login\`, then run this step again (${cause})`);
});

test("a credential that says what to do itself is taken at its word", async () => {
  const own = new ManagementError("AzureCliNotFound", "the Azure CLI (az) is not installed: install it");
  const client = new ManagementClient({ endpoint: "https://arm.example", credential: { getToken: async () => { throw own; } }, fetch: fakeFetch(200, {}) });
  assert.equal(await rejection(client.getDeploymentOutputs("sub", "rg", "dep")), own);
});

test("no subscription chosen", async () => {
  const client = new ManagementClient({ endpoint: "https://arm.example", credential, fetch: fakeFetch(200, {}) });
  const error = await rejection(client.getDeploymentOutputs("", "rg", "dep"));
  assert.equal(error.code, "NoSubscription");
  assert.match(error.message, /^no Azure subscription chosen: set AZURE_SUBSCRIPTION_ID, or run `az account set --subscription <id>`$/);
});

test("outputs missing from the deployment", async () => {
  const body = { properties: { provisioningState: "Succeeded", outputs: { apimServiceId: { type: "String", value: "/subscriptions/s/x" } } } };
  const client = new ManagementClient({ endpoint: "https://arm.example", credential, fetch: fakeFetch(200, body) });
  const error = await rejection(client.getDeploymentOutputs("sub", "rg", "dep"));
  assert.equal(error.code, "OutputsMissing");
  assert.equal(error.message, 'deployment dep has no output "apimSubscriptionKey": is it a deployment of this lab? Redeploy the lab or choose another deploymentName');
});

test("the bearer token goes in the Authorization header, and paths are ARM's", async () => {
  const seen: { url?: string; init?: RequestInit }[] = [];
  const body = { properties: { outputs: { apimServiceId: { value: "/s" }, apimSubscriptionKey: { value: "k".repeat(32) }, apimResourceGatewayURL: { value: "https://gw.example/" } } } };
  const client = new ManagementClient({ endpoint: "https://arm.example/", credential, fetch: fakeFetch(200, body, seen) });
  const outputs = await client.getDeploymentOutputs("sub-1", "lab-x", "x");
  assert.equal(outputs.apimResourceGatewayURL, "https://gw.example");
  assert.equal(seen[0].url, "https://arm.example/subscriptions/sub-1/resourcegroups/lab-x/providers/Microsoft.Resources/deployments/x?api-version=2024-03-01");
  assert.equal((seen[0].init?.headers as Record<string, string>).Authorization, "Bearer test-token-123456789");
});

test("management endpoint unreachable", async () => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const client = new ManagementClient({ endpoint: `http://127.0.0.1:${port}`, credential });
  const error = await rejection(client.listDebugCredentials("/s", "/s/apis/openai"));
  assert.equal(error.code, "EndpointUnreachable");
  assert.equal(error.message, `management endpoint http://127.0.0.1:${port} unreachable (ECONNREFUSED): check the endpoint and your network, or start the local lab`);
});

test("a refused token", async () => {
  const client = new ManagementClient({ endpoint: "https://arm.example", credential, fetch: fakeFetch(401, { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } }) });
  const error = await rejection(client.listDebugCredentials("/s", "/s/apis/openai"));
  assert.equal(error.code, "Unauthorized");
  assert.equal(error.status, 401);
  assert.equal(error.serviceCode, "InvalidAuthenticationToken");
  assert.match(error.message, /^the management API refused the token \(401 InvalidAuthenticationToken\): run `az login` again/);
});

test("a body that is not JSON", async () => {
  const client = new ManagementClient({ endpoint: "https://arm.example", credential, fetch: fakeFetch(200, "<html>proxy login</html>") });
  const error = await rejection(client.listDebugCredentials("/s", "/s/apis/openai"));
  assert.equal(error.message, "POST /s/gateways/managed/listDebugCredentials answered 200 with a body that is not JSON: check managementEndpoint");
});

test("a trace that never appears: TraceNotFound after the wait", async () => {
  let calls = 0;
  const fetchImpl = (async () => {
    calls++;
    return new Response(JSON.stringify({ error: { code: "ResourceNotFound", message: "no" } }), { status: 404 });
  }) as unknown as typeof fetch;
  const client = new ManagementClient({ endpoint: "https://arm.example", credential, fetch: fetchImpl });
  const error = await rejection(client.listTrace("/s", "trace-1", { waitMs: 120, intervalMs: 30 }));
  assert.equal(error.code, "TraceNotFound");
  assert.equal(error.message, "trace trace-1 not found: traces are kept only for a while; make the call again (with a valid debug token)");
  assert.ok(calls >= 3 && calls <= 6, `asked ${calls} times`);
});

test("a trace that is ready on the second try is returned", async () => {
  let calls = 0;
  const fetchImpl = (async () => {
    calls++;
    return calls === 1
      ? new Response(JSON.stringify({ error: { code: "ResourceNotFound", message: "no" } }), { status: 404 })
      : new Response(JSON.stringify({ traceId: "t", traceEntries: { inbound: [] } }), { status: 200 });
  }) as unknown as typeof fetch;
  const client = new ManagementClient({ endpoint: "https://arm.example", credential, fetch: fetchImpl });
  const trace = await client.listTrace("/s", "t", { intervalMs: 10 });
  assert.equal(trace.traceId, "t");
  assert.equal(calls, 2);
});

test("debug token headers: expired and wrong API", () => {
  assert.throws(() => checkDebugHeaders(new Headers({ "Apim-Debug-Authorization-Expired": "true" })), { message: "debug token expired: run step 2 again to get a new one" });
  assert.throws(() => checkDebugHeaders(new Headers({ "Apim-Debug-Authorization-WrongAPI": "true" })), /for another API: run step 2 again/);
  assert.doesNotThrow(() => checkDebugHeaders(new Headers({ "Apim-Trace-Id": "x" })));
});

test("errors print as one line in a kernel or terminal", async () => {
  const { inspect } = await import("node:util");
  const error = new ManagementError("TraceNotFound", "trace x not found: make the call again");
  assert.equal(inspect(error), "ManagementError: trace x not found: make the call again");
});

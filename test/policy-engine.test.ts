// The policy engine's control flow through a local lab: return-response ends the pipeline
// before the backend; an error jumps to on-error with context.LastError, whose policies
// shape the answer; <base /> in <backend> is APIM's default forward-request.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";

const dir = mkdtempSync(join(tmpdir(), "policy-engine-"));
const labs: LocalLab[] = [];
after(async () => {
  await Promise.all(labs.map((l) => l.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function labWith(name: string, xml: string): Promise<LocalLab> {
  const file = join(dir, name);
  writeFileSync(file, xml);
  const lab = await startLocalLab({ policy: file, timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0 } });
  labs.push(lab);
  return lab;
}

async function traced(lab: LocalLab, body: string) {
  const token = (await lab.credential.getToken("x"))!.token;
  const arm = (action: string, payload: object) =>
    fetch(`${lab.managementUrl}${lab.apimServiceId}/gateways/managed/${action}?api-version=2023-05-01-preview`, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(payload),
    }).then((r) => r.json() as Promise<any>);
  const debug = (await arm("listDebugCredentials", { credentialsExpireAfter: "PT1H", apiId: lab.apiId, purposes: ["tracing"] })).token;
  const res = await fetch(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
    method: "POST", headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "Apim-Debug-Authorization": debug }, body,
  });
  const text = await res.text();
  const trace = await arm("listTrace", { traceId: res.headers.get("apim-trace-id") });
  const sources = (section: string) => ((trace.traceEntries[section] ?? []) as { source: string }[]).map((e) => e.source);
  return { res, text, trace, sources };
}

const chat = JSON.stringify({ messages: [{ role: "user", content: "Say hi." }], stream: true });

test("return-response in inbound: the caller gets its response and the backend is never called", async () => {
  const lab = await labWith("return.xml", `<policies>
    <inbound>
        <return-response>
            <set-status code="418" reason="Teapot" />
            <set-header name="x-why" exists-action="override"><value>@(context.Request.Method + " refused")</value></set-header>
            <set-body>{"refused": true}</set-body>
        </return-response>
        <set-header name="x-never" exists-action="override"><value>1</value></set-header>
    </inbound>
    <backend><forward-request buffer-response="false" /></backend>
</policies>`);
  const { res, text, trace, sources } = await traced(lab, chat);
  assert.equal(res.status, 418);
  assert.equal(res.statusText, "Teapot");
  assert.equal(res.headers.get("x-why"), "POST refused");
  assert.equal(res.headers.get("x-never"), null);
  assert.equal(text, '{"refused": true}');
  assert.equal(trace.traceEntries.backend, undefined, "no backend section: nothing was forwarded");
  assert.deepEqual(sources("inbound").slice(2), ["set-status", "set-header", "set-body", "return-response"]);
  assert.deepEqual(sources("outbound"), ["transfer-response"]);
  assert.equal(lab.activeBackendStreams(), 0);
});

test("an error jumps to on-error with context.LastError; on-error's policies shape the answer", async () => {
  const lab = await labWith("on-error.xml", `<policies>
    <inbound>
        <set-variable name="model" value="@(context.Request.Body.As<JObject>(true)["model"].ToString())" />
        <set-header name="x-skipped" exists-action="override"><value>1</value></set-header>
    </inbound>
    <backend><forward-request buffer-response="false" /></backend>
    <on-error>
        <set-header name="x-error" exists-action="override">
            <value>@(context.LastError.Source + "/" + context.LastError.Reason + "/" + context.LastError.Section)</value>
        </set-header>
        <set-status code="400" reason="Bad Request" />
    </on-error>
</policies>`);
  // No "model" in the body: indexing gives null, and null.ToString() throws, as in .NET.
  const { res, text, trace, sources } = await traced(lab, chat);
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("x-error"), "set-variable/ExpressionValueEvaluationFailure/inbound");
  assert.equal(res.headers.get("x-skipped"), null);
  assert.equal(JSON.parse(text).message, "Internal server error", "APIM's error body, its status changed by set-status");
  assert.equal(trace.traceEntries.backend, undefined);
  assert.deepEqual(sources("on-error"), ["set-variable", "set-header", "set-status"]);
  assert.match(trace.traceEntries["on-error"][0].data.message, /^Expression evaluation failed\. Object reference not set/);
});

test("<base /> in <backend> is APIM's default global forward-request, which buffers", async () => {
  const lab = await labWith("base.xml", `<policies><inbound><base /><authentication-managed-identity resource="https://cognitiveservices.azure.com" /></inbound><backend><base /></backend><outbound><base /></outbound></policies>`);
  const { res, text, sources } = await traced(lab, chat);
  assert.equal(res.status, 200);
  assert.ok(text.endsWith("data: [DONE]\n\n"));
  assert.deepEqual(sources("backend"), ["request-forwarder", "forward-request"]);
  // Without output-token-variable-name the token goes into Authorization itself: the backend accepts it.
  assert.equal(res.headers.get("x-ms-stream"), null, "no policy set x-ms-stream");
});

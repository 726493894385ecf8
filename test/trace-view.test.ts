import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { maskedTraceJson, parseElapsed, readTrace, traceTables, type TraceLike, type TraceView } from "../lib/report/trace-view";

function fixture(name: string): TraceLike {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
}

const fixtures = ["trace-apim-new", "trace-apim-old", "trace-apim-error", "trace-local-lab"];

/** The secret values written into the fixtures, in every form they appear there. */
const SECRETS = [
  "7c1e94b2a8d34f0e9b6a5c3d2e1f0a9b", // api-key (new)
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSIsImlzcyI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8ifQ.Qm9ndXNTaWduYXR1cmVGb3JUZXN0aW5nT25seV9ub3RfYV9yZWFsX3Rva2VuXzEyMzQ1Njc4OTA",
  "aGF0cmFjZS0yMDI1LTAxLTI0VDA5OjQ1OjQxWnxhcGltLWxhYi0xMjN8c3RyZWFtaW5nLWFwaXxhYmNkZWYwMTIzNDU2Nzg5", // debug token
  "f6048eafa32e4bfc9d09eae7d723fb3d", // Ocp-Apim-Subscription-Key and subscription-key= (old)
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSIsIm9pZCI6IjEyMyJ9.T2xkVmFyaWFudFNpZ25hdHVyZV9ub3RfcmVhbF85ODc2NTQzMjEw",
  "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a", // api-key (error)
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSIsIm9pZCI6IjQ1NiJ9.RXJyb3JWYXJpYW50U2lnbmF0dXJlX25vdF9yZWFsXzExMTExMTExMTE",
  "hW3bX9kq2Lr%2FvYt5Zp8aN1cQe4Ms7Ud0Gf6Jh3KwXo%3D", // sig= (error)
  "local-lab-subscription-key-0123456789abcdef", // api-key (local lab)
  "local.fake.token-0123456789abcdef", // bearer (local lab)
  "local-lab-debug-token-0123456789abcdef", // debug token (local lab)
];

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) {
    // Not the whole secret, and not a telling piece of it either.
    for (const piece of [secret, secret.slice(0, 12), secret.slice(-12, -4)]) {
      assert.ok(!text.includes(piece), `${where} leaks ${piece} (of ${secret.slice(0, 8)}…)`);
    }
  }
}

function rows(view: TraceView, section: string) {
  const s = view.sections.find((x) => x.name === section);
  assert.ok(s, `section ${section}`);
  return s.rows;
}

const near = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-6, `${a} != ${b}`);

test("elapsed: .NET TimeSpan in all its printed forms, to ms", () => {
  near(parseElapsed("00:00:01.6935036"), 1693.5036);
  near(parseElapsed("00:00:00.0004127"), 0.4127);
  near(parseElapsed("00:00:02"), 2000);
  near(parseElapsed("00:01:00.5"), 60500);
  near(parseElapsed("1.02:03:04.5000000"), ((1 * 24 + 2) * 60 + 3) * 60 * 1000 + 4500);
  near(parseElapsed("-00:00:01"), -1000);
  near(parseElapsed(12.5), 12.5);
  assert.equal(parseElapsed("soon"), undefined);
  assert.equal(parseElapsed(undefined), undefined);
});

test("new variant: every source of an OpenAI call, its elapsed ms and a one-line summary", () => {
  const view = readTrace(fixture("trace-apim-new"));
  assert.equal(view.traceId, "0f3c6a2e-58d1-4b7f-9e2a-6c4d8b1f7a30");
  assert.deepEqual(view.sections.map((s) => s.name), ["inbound", "backend", "outbound"]);
  assert.deepEqual(
    view.sections.map((s) => s.rows.map((r) => r.source)),
    [
      ["api-inspector", "api-inspector", "cors", "authentication-managed-identity", "set-header", "set-backend-service", "request-payload-handler"],
      ["set-backend-service", "request-forwarder", "forward-request"],
      ["response-payload-handler", "set-header", "transfer-response"],
    ],
  );
  const [inbound, backend, outbound] = view.sections.map((s) => s.rows);
  near(inbound[0].elapsedMs, 0.4127);
  near(backend[2].elapsedMs, 386.2971);
  near(outbound[2].elapsedMs, 1693.5036);
  assert.equal(inbound[0].timestamp, "2025-01-24T09:45:41.0752458Z");

  assert.equal(inbound[0].summary, "request POST https://apim-lab-7k2qzx.azure-api.net/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21");
  assert.equal(
    inbound[1].summary,
    "api /openai → https://aoai-lab-7k2qzx.openai.azure.com/openai; operation POST /deployments/{deployment-id}/chat/completions?api-version={api-version}; product openai-streaming; user 1",
  );
  assert.match(inbound[2].summary, /^Origin header was missing or empty/);
  assert.equal(inbound[3].summary, "token for https://cognitiveservices.azure.com: succeeded");
  assert.match(inbound[4].summary, /^Authorization: \*\*\*\w{4}$/);
  assert.equal(inbound[5].summary, "backend URL https://aoai-lab-7k2qzx.openai.azure.com/openai");
  assert.match(inbound[6].summary, /^Request payload was buffered/);
  assert.equal(
    backend[1].summary,
    "forwarded (timeout 300 s) → POST https://aoai-lab-7k2qzx.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
  );
  assert.equal(backend[2].summary, "response 200 OK (text/event-stream; charset=utf-8)");
  assert.equal(outbound[1].summary, "x-ms-stream: True");
  assert.equal(outbound[2].summary, "Response has been sent to the caller in full");
});

test("old variant: forward-request logs both the outgoing request and the response", () => {
  const view = readTrace(fixture("trace-apim-old"));
  const backend = rows(view, "backend");
  assert.deepEqual(backend.map((r) => r.source), ["forward-request", "forward-request"]);
  assert.equal(
    backend[0].summary,
    "forwarded (timeout 300 s) → POST https://aoai-lab-7k2qzx.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-02-01",
  );
  assert.equal(backend[1].summary, "response 200 OK (text/event-stream; charset=utf-8)");
  near(backend[1].elapsedMs, 1580.4735);
  const inbound = rows(view, "inbound");
  assert.match(inbound[1].summary, /product -; user -$/);
  // The subscription key in the query is masked, the rest of the URL kept.
  assert.match(inbound[0].summary, /^request POST https:\/\/apim-lab-7k2qzx\.azure-api\.net\/openai\/.*api-version=2024-02-01&subscription-key=\*\*\*\w{4}$/);
});

test("error trace: the on-error section comes last and says what failed", () => {
  const view = readTrace(fixture("trace-apim-error"));
  assert.deepEqual(view.sections.map((s) => s.name), ["inbound", "backend", "on-error"]);
  const backend = rows(view, "backend");
  assert.equal(backend[1].summary, "Error occured while calling backend service.; connection timed out: aoai-lab-broken.blob.core.windows.net:443");
  near(backend[1].elapsedMs, 20009.1646);
  const onError = rows(view, "on-error");
  assert.deepEqual(onError.map((r) => r.source), ["error", "set-status", "set-body", "transfer-response"]);
  assert.equal(
    onError[0].summary,
    "error in request-forwarder (backend): BackendConnectionFailure: Error occured while calling backend service. connection timed out: aoai-lab-broken.blob.core.windows.net:443",
  );
  assert.equal(onError[1].summary, "Response status code was set to 502; Response status reason was set to 'Bad Gateway'");
  // A SAS signature in the backend URL is masked.
  assert.match(rows(view, "inbound")[4].summary, /sig=\*\*\*/);
});

test("local lab trace (recorded from the lab): same schema, read the same way", () => {
  const view = readTrace(fixture("trace-local-lab"));
  assert.deepEqual(view.sections.map((s) => s.name), ["inbound", "backend", "outbound"]);
  assert.deepEqual(view.sections.map((s) => s.rows.map((r) => r.source)), [
    ["api-inspector", "api-inspector", "authentication-managed-identity", "set-header", "set-backend-service", "choose", "set-variable"],
    ["request-forwarder", "forward-request"],
    ["set-header", "transfer-response"],
  ]);
  const inbound = rows(view, "inbound");
  assert.match(inbound[0].summary, /^request POST http:\/\/127\.0\.0\.1:8080\/openai\/deployments\/gpt-4o-mini\/chat\/completions\?api-version=2024-10-21$/);
  assert.match(inbound[1].summary, /^api \/openai → http:\/\/127\.0\.0\.1:8082\/openai;/);
  assert.equal(inbound[3].summary, "Authorization: ***cdef");
  assert.equal(inbound[6].summary, "Context variable was successfully set. (name=isStream, value=True)");
  assert.equal(rows(view, "backend")[1].summary, "response 200 OK (text/event-stream; charset=utf-8)");
  assert.equal(rows(view, "outbound")[0].summary, "x-ms-stream: True");
  near(rows(view, "outbound")[1].elapsedMs ?? -1, 1440.4845); // the fixture's "00:00:01.4404845"
  assert.ok((rows(view, "outbound")[1].elapsedMs ?? 0) > 300, "the stream took at least the time to first token");
});

test("sections come in policy order whatever the JSON order; empty ones are left out; long unknowns are cut", () => {
  const long = "x".repeat(500);
  const trace: TraceLike = {
    traceId: "t",
    traceEntries: {
      "on-error": [{ source: "weird-policy", elapsed: "00:00:00.5", data: { detail: long } }],
      outbound: [],
      inbound: [{ source: "cors", elapsed: "00:00:00.1", data: "ok" }],
    },
  };
  const view = readTrace(trace);
  assert.deepEqual(view.sections.map((s) => s.name), ["inbound", "on-error"]);
  const summary = rows(view, "on-error")[0].summary;
  assert.ok(summary.startsWith("detail=xxx") && summary.length <= 240 && summary.endsWith("…"), summary);
  const tables = traceTables(trace);
  assert.ok(tables.indexOf("inbound (1 entry)") < tables.indexOf("on-error (1 entry)"));
  assert.match(traceTables({ traceId: "empty" }), /Trace empty: no entries/);
});

test("tables: one titled table per section, in order, with source, elapsed in the lab's ms format and summary", () => {
  const text = traceTables(fixture("trace-apim-new"));
  const titles = ["inbound (7 entries)", "backend (3 entries)", "outbound (3 entries)"];
  const at = titles.map((t) => text.indexOf(t));
  assert.ok(at.every((i) => i >= 0), text);
  assert.deepEqual([...at].sort((a, b) => a - b), at);
  assert.match(text, /^Trace 0f3c6a2e-58d1-4b7f-9e2a-6c4d8b1f7a30 on apim-lab-7k2qzx\n/);
  assert.match(text, /║ source +│ elapsed +│ summary +║/);
  assert.match(text, /│ +386 ms │ response 200 OK/);
  assert.match(text, /│ +1694 ms │ Response has been sent/);
});

for (const name of fixtures) {
  test(`${name}: no secret in the tables, the rows or the raw JSON`, () => {
    const trace = fixture(name);
    const raw = JSON.stringify(trace);
    assert.ok(SECRETS.some((s) => raw.includes(s)), "the fixture does hold secrets");
    assertNoSecret(traceTables(trace), "traceTables");
    assertNoSecret(JSON.stringify(readTrace(trace)), "readTrace");
    const json = maskedTraceJson(trace);
    assertNoSecret(json, "maskedTraceJson");
    // The masked JSON is still the trace: same shape, same entries, readable again.
    const back = JSON.parse(json) as TraceLike;
    assert.equal(back.traceId, trace.traceId);
    for (const section of Object.keys(trace.traceEntries ?? {})) {
      assert.equal(back.traceEntries?.[section]?.length, trace.traceEntries?.[section]?.length);
    }
    // The input is not changed.
    assert.equal(JSON.stringify(trace), raw);
  });
}

test("a secret in free text of an unknown source is masked too", () => {
  const trace: TraceLike = {
    traceEntries: {
      backend: [
        { source: "send-request", elapsed: "00:00:00.2", data: { message: "GET https://x.example/?subscription-key=Zq81mNv04LxP2wE7rT5y then api-key: Kd72Hs09Lq11Pz55" } },
      ],
    },
  };
  const text = traceTables(trace) + maskedTraceJson(trace);
  assert.ok(!text.includes("Zq81mNv04LxP2wE7rT5y"), text);
  assert.ok(!text.includes("Kd72Hs09Lq11Pz55"), text);
});

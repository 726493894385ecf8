/**
 * Every injected fault through the local lab's gateway, with raw HTTP and with the
 * `openai` SDK: the status, the message, what the client kept, what the trace says.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AzureOpenAI } from "openai";
import nodeFetch from "node-fetch";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { ManagementClient } from "../lib/management";
import { describeError } from "../lib/errors";
import { streamOutcome } from "../lib/stream/outcome";
import { readChatStream, readHttpStream, type HttpResponse } from "../lib/stream/readers";
import { replyText } from "../lib/stream/record";

let lab: LocalLab;
let management: ManagementClient;
let debugToken: string;
const PROMPT = "Count to 10.";
// The planned reply's events: prompt filter, role, then "1", ",", " ", "2", ...
const FULL = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10";

before(async () => {
  lab = await startLocalLab({ timing: ZERO_LATENCY });
  management = new ManagementClient({ endpoint: lab.managementUrl, credential: lab.credential });
  debugToken = await management.listDebugCredentials(lab.apimServiceId, lab.apiId);
});
after(() => lab.close());

const chatUrl = () => `${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`;

function post(fault: string | undefined, stream = true, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { "api-key": lab.subscriptionKey, "content-type": "application/json", "apim-debug-authorization": debugToken, ...extra };
  if (fault !== undefined) headers["x-lab-fault"] = fault;
  return fetch(chatUrl(), { method: "POST", headers, body: JSON.stringify({ messages: [{ role: "user", content: PROMPT }], stream }) });
}

async function raw(fault: string) {
  const sent = performance.now();
  const res = await post(fault);
  const result = await readHttpStream("raw", res as HttpResponse, sent);
  return { res, ...result };
}

function sdk(maxRetries = 0) {
  return new AzureOpenAI({ endpoint: lab.gatewayUrl, apiKey: lab.subscriptionKey, apiVersion: "2024-10-21", maxRetries, logLevel: "off" });
}

function sdkStream(fault: string, client = sdk()) {
  return readChatStream("sdk", () =>
    client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: PROMPT }], stream: true }, { headers: { "x-lab-fault": fault } })
      .withResponse(),
  );
}

async function traceOf(res: { headers: { get(n: string): string | null } }) {
  const id = res.headers.get("apim-trace-id");
  assert.ok(id, "the call was traced");
  return management.listTrace(lab.apimServiceId, id);
}

async function settled() {
  // The backend notices a cut or finished stream on its own; bounded wait, exact check.
  for (let i = 0; i < 100 && lab.activeBackendStreams() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(lab.activeBackendStreams(), 0);
}

const RATE_MESSAGE =
  "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 7 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.";

test("429: passed through with Azure's body and retry-after; the SDK throws RateLimitError", async () => {
  const res = await post("429=7");
  const body = await res.clone().text();
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "7");
  assert.equal(res.headers.get("retry-after-ms"), "7000");
  assert.equal(res.headers.get("x-ms-stream"), "True");
  assert.deepEqual(JSON.parse(body), { error: { code: "429", message: RATE_MESSAGE } });
  const read = await readHttpStream("raw", res as HttpResponse, performance.now());
  assert.equal(streamOutcome(read), `✖ HTTP 429: 429: ${RATE_MESSAGE} → retry in 7 s`);
  const trace = await traceOf(res);
  assert.equal((trace.traceEntries.backend?.[1].data as { response: { status: { code: number } } }).response.status.code, 429);
  assert.equal(trace.traceEntries["on-error"], undefined, "a backend error status is not a gateway error");

  const { record, error } = await sdkStream("429=7");
  assert.equal((error as { constructor: { name: string } }).constructor.name, "RateLimitError");
  assert.equal((error as { status: number }).status, 429);
  assert.equal(describeError(error), `RateLimitError (HTTP 429): ${RATE_MESSAGE} → retry in 7 s`);
  assert.equal(record.events.length, 0);
  assert.equal(streamOutcome({ record, error }), `✖ RateLimitError (HTTP 429): ${RATE_MESSAGE} → retry in 7 s`);
  await settled();
});

test("500 and 503: passed through; the SDK throws InternalServerError for both", async () => {
  const cases = [
    { fault: "500", code: "InternalServerError", message: "The server had an error while processing your request. Sorry about that! You can retry your request, or contact Azure support if the error persists." },
    { fault: "503", code: "ServiceUnavailable", message: "The service is temporarily unable to process your request. Please try again later." },
  ];
  for (const c of cases) {
    const res = await post(c.fault);
    const body = await res.clone().text();
    assert.equal(res.status, Number(c.fault));
    assert.equal(res.headers.get("x-lab-fault-injected"), c.fault);
    assert.deepEqual(JSON.parse(body), { error: { code: c.code, message: c.message } });
    assert.equal(streamOutcome(await readHttpStream("raw", res as HttpResponse, performance.now())), `✖ HTTP ${c.fault}: ${c.code}: ${c.message}`);
    const { error } = await sdkStream(c.fault);
    assert.equal(describeError(error), `InternalServerError (HTTP ${c.fault}): ${c.message}`);
  }
  await settled();
});

test("the SDK retries a 503 twice by default before it throws", async () => {
  let calls = 0;
  const counting = new AzureOpenAI({
    endpoint: lab.gatewayUrl, apiKey: lab.subscriptionKey, apiVersion: "2024-10-21", logLevel: "off",
    fetch: ((input: RequestInfo, init?: RequestInit) => {
      calls++;
      return fetch(input, init);
    }) as typeof fetch,
  });
  const { error } = await sdkStream("503", counting);
  assert.equal((error as { status: number }).status, 503);
  assert.equal(calls, 3);
});

test("slow-first-token: headers at once, first content after the delay, stream complete", async () => {
  const DELAY = 400;
  const sent = performance.now();
  const res = await post(`slow-first-token=${DELAY}`);
  const headersMs = performance.now() - sent;
  const { record, error } = await readHttpStream("raw", res as HttpResponse, sent, { headersMs });
  assert.equal(error, undefined);
  assert.equal(record.done, true);
  assert.equal(replyText(record), FULL);
  // At once: well before the first token is due (held back, they came after ~457 ms).
  assert.ok(headersMs < DELAY / 2, `headers after ${headersMs.toFixed(0)} ms, with the first token due at ${DELAY} ms`);
  assert.ok(record.events[0].ms >= DELAY, `first event after ${record.events[0].ms} ms`);
  const s = await sdkStream(`slow-first-token=${DELAY}`);
  assert.equal(s.error, undefined);
  assert.equal(replyText(s.record), FULL);
});

test("drop-after: the backend cuts the connection, the gateway cuts the client's; what arrived is kept", async () => {
  const { res, record, error } = await raw("drop-after=5");
  assert.equal(res.status, 200);
  assert.equal(record.done, false);
  assert.equal(record.events.length, 5);
  assert.equal(replyText(record), "1, ");
  assert.equal((error as Error).message, "terminated");
  assert.equal(describeError(error), "connection closed before the stream ended (TypeError: terminated: other side closed)");
  assert.equal(streamOutcome({ record, error }), "✖ stream incomplete: 5 chunks kept (3 with content), no [DONE]: connection closed before the stream ended (TypeError: terminated: other side closed)");
  const trace = await traceOf(res);
  assert.deepEqual(trace.traceEntries["on-error"]?.map((e) => e.data), [
    { source: "transfer-response", reason: "BackendConnectionFailure", message: "Underlying transport connection was unexpectedly closed.", section: "outbound" },
  ]);

  const s = await sdkStream("drop-after=5");
  assert.equal(replyText(s.record), "1, ");
  assert.equal(s.record.events.length, 5, "the SDK yields all 5 chunks that arrived, then throws");
  assert.equal(s.record.done, false);
  assert.equal(describeError(s.error), "connection closed before the stream ended (TypeError: terminated: other side closed)");
  await settled();
});

test("drop-after with node-fetch (the notebook's raw client): Premature close, what arrived is kept", async () => {
  const sent = performance.now();
  const res = await nodeFetch(chatUrl(), {
    method: "POST",
    headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "x-lab-fault": "drop-after=7" },
    body: JSON.stringify({ messages: [{ role: "user", content: PROMPT }], stream: true }),
  });
  const { record, error } = await readHttpStream("node-fetch", res, sent);
  assert.equal(record.events.length, 7);
  assert.equal(replyText(record), "1, 2,");
  assert.equal(describeError(error), "connection closed before the stream ended (Error: Premature close)");
  await settled();
});

test("drop-after=n at zero latency, 200 times in a row: exactly n events reach the caller before the cut", async () => {
  // The backend writes the events and cuts in the same tick; both it and the gateway
  // must send every written byte before the FIN (Node 24.22 dropped them: 0 of 5).
  const lost: string[] = [];
  for (let i = 0; i < 200; i++) {
    const n = i % 22; // "Count to 10." plans 22 events before [DONE]
    const { record, error } = await raw(`drop-after=${n}`);
    if (record.events.length !== n || record.done || error === undefined) lost.push(`n=${n}: ${record.events.length} events, done=${record.done}`);
  }
  assert.deepEqual(lost, []);
  await settled();
});

test("error-event-after: an error event, then the end without [DONE]; the SDK throws APIError", async () => {
  const { res, record, error } = await raw("error-event-after=4");
  assert.equal(res.status, 200);
  assert.equal(error, undefined, "the body ended normally");
  assert.equal(record.done, false);
  assert.equal(record.events.length, 5);
  assert.equal(record.events[4].kind, "error");
  assert.deepEqual(JSON.parse(record.events[4].data ?? ""), {
    error: { code: "InternalServerError", message: "The server had an error while processing your request. Sorry about that!", type: "server_error" },
  });
  assert.equal(replyText(record), "1,");
  assert.equal(streamOutcome({ record }), "✖ stream incomplete: 5 chunks kept (2 with content), no [DONE]: an error event in the stream: InternalServerError: The server had an error while processing your request. Sorry about that!");
  const trace = await traceOf(res);
  assert.equal(trace.traceEntries["on-error"], undefined, "the gateway relays it as any other event");

  const s = await sdkStream("error-event-after=4");
  assert.equal((s.error as { constructor: { name: string } }).constructor.name, "APIError");
  assert.equal((s.error as { status?: number }).status, undefined);
  assert.equal(describeError(s.error), "APIError (an error event in the stream): The server had an error while processing your request. Sorry about that!");
  assert.equal(replyText(s.record), "1,");
  await settled();
});

test("malformed-after: one chunk that is not JSON; raw keeps everything, the SDK throws SyntaxError", async () => {
  const { record, error } = await raw("malformed-after=5");
  assert.equal(error, undefined);
  assert.equal(record.done, true, "the rest of the stream and [DONE] still came");
  assert.throws(() => JSON.parse(record.events[5].data ?? ""), SyntaxError);
  assert.equal(record.events[5].kind, "malformed");
  assert.equal(record.events[5].content, undefined);
  // The broken event was "2": everything else arrived.
  assert.equal(replyText(record), FULL.replace("1, 2", "1, "));
  assert.match(streamOutcome({ record }), /^⚠ stream complete: \d+ chunks \(\d+ with content\), 1 not valid JSON \(kept as text\), \[DONE\] seen$/);

  const s = await sdkStream("malformed-after=5");
  assert.equal((s.error as Error).name, "SyntaxError");
  assert.match(describeError(s.error), /^a chunk that is not valid JSON \(SyntaxError: Unterminated string in JSON at position \d+( \(line \d+ column \d+\))?\)$/);
  assert.equal(replyText(s.record), "1, ");
  assert.equal(s.record.done, false);
  await settled();
});

test("bad x-lab-fault values: 400 InvalidLabFault with a message naming the problem", async () => {
  const cases: Array<[string, string]> = [
    ["bogus", 'x-lab-fault: unknown fault "bogus"; expected 429[=<seconds>], 500, 503, slow-first-token=<ms>, drop-after=<n>, error-event-after=<n>, malformed-after=<n> or none'],
    ["drop-after=x", 'x-lab-fault: "drop-after" needs a whole number from 0 to 100000, got "x"'],
    ["drop-after", 'x-lab-fault: "drop-after" needs a whole number from 0 to 100000, got ""'],
    ["429=0", 'x-lab-fault: "429" needs a whole number from 1 to 3600, got "0"'],
    ["500=3", 'x-lab-fault: "500" takes no value'],
    ["429; 503", "x-lab-fault: only one of 429, 500, 503 at a time"],
    ["drop-after=1; malformed-after=2", "x-lab-fault: only one of drop-after, error-event-after, malformed-after at a time"],
  ];
  for (const [value, message] of cases) {
    const res = await post(value);
    assert.equal(res.status, 400, value);
    assert.deepEqual(await res.json(), { error: { code: "InvalidLabFault", message } }, value);
  }
});

test("a lab-wide fault applies to every call; a request's header replaces it, `none` clears it", async () => {
  const faulty = await startLocalLab({ timing: ZERO_LATENCY, fault: "503" });
  try {
    const call = (headers: Record<string, string>) =>
      fetch(`${faulty.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
        method: "POST",
        headers: { "api-key": faulty.subscriptionKey, "content-type": "application/json", ...headers },
        body: JSON.stringify({ messages: [{ role: "user", content: PROMPT }] }),
      });
    const a = await call({});
    assert.equal(a.status, 503);
    await a.text();
    const b = await call({ "x-lab-fault": "none" });
    assert.equal(b.status, 200);
    assert.equal(((await b.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content, FULL);
    const c = await call({ "x-lab-fault": "429=2" });
    assert.equal(c.status, 429);
    assert.equal(c.headers.get("retry-after"), "2");
    await c.text();
  } finally {
    await faulty.close();
  }
  await assert.rejects(startLocalLab({ fault: "drop-after=-1" }), { message: /^fault: x-lab-fault: "drop-after" needs a whole number/ });
});

test("stream faults leave non-streamed replies whole", async () => {
  const res = await post("drop-after=2", false);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content, FULL);
});

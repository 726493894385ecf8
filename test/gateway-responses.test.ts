/**
 * Azure's v1 API through the local lab's gateway: the Responses API and v1 chat
 * completions go through the same policy as the dated route (operation match, key,
 * x-ms-stream, trace, buffering, faults), and the openai package's `OpenAI` client
 * streams a response with `baseURL` = gateway + `/openai/v1/`.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { ManagementClient } from "../lib/management";
import type { TraceDocument } from "../lib/schema";

let lab: LocalLab;
let management: ManagementClient;
let debugToken: string;

before(async () => {
  lab = await startLocalLab({ timing: ZERO_LATENCY });
  management = new ManagementClient({ endpoint: lab.managementUrl, credential: lab.credential });
  debugToken = await management.listDebugCredentials(lab.apimServiceId, lab.apiId);
});
after(() => lab.close());

/** APIM takes the subscription key in `api-key`; the SDK's own `Authorization: Bearer` is switched off. */
function client(path = "openai") {
  return new OpenAI({
    baseURL: `${lab.gatewayUrl}/${path}/v1/`,
    apiKey: lab.subscriptionKey,
    defaultHeaders: { "api-key": lab.subscriptionKey, Authorization: null, "Apim-Debug-Authorization": debugToken },
    maxRetries: 0,
  });
}

function post(path: string, body: object, headers: Record<string, string> = {}) {
  return fetch(`${lab.gatewayUrl}${path}`, {
    method: "POST",
    headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "apim-debug-authorization": debugToken, ...headers },
    body: JSON.stringify(body),
  });
}

async function traceOf(res: { headers: { get(n: string): string | null } }): Promise<TraceDocument> {
  const id = res.headers.get("apim-trace-id");
  assert.ok(id, "the call was traced");
  return management.listTrace(lab.apimServiceId, id);
}

/** Each section with the sources of its entries, in order. */
const outline = (trace: TraceDocument) => Object.entries(trace.traceEntries).map(([section, entries]) => [section, entries?.map((e) => e.source)]);

test("the OpenAI client streams a response through the gateway at /openai/v1/, x-ms-stream True, the trace's sections those of chat completions", async () => {
  const { data: stream, response } = await client()
    .responses.create({ model: "gpt-4o-mini", input: "Count to 10.", stream: true })
    .withResponse();
  assert.equal(response.headers.get("x-ms-stream"), "True");
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  let text = "";
  const types: string[] = [];
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === "response.output_text.delta") text += event.delta;
  }
  assert.equal(text, "1, 2, 3, 4, 5, 6, 7, 8, 9, 10");
  assert.deepEqual(types.slice(0, 4), ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
  assert.equal(types[types.length - 1], "response.completed");

  const responsesTrace = await traceOf(response);
  const chat = await post("/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21", { messages: [{ role: "user", content: "Count to 10." }], stream: true });
  await chat.text();
  const chatTrace = await traceOf(chat);
  assert.deepEqual(outline(responsesTrace), outline(chatTrace));
  assert.deepEqual(outline(responsesTrace).map(([section]) => section), ["inbound", "backend", "outbound"]);
  const configuration = responsesTrace.traceEntries.inbound?.find((e) => (e.data as { configuration?: unknown }).configuration);
  assert.equal((configuration?.data as { configuration: { operation: { uriTemplate: string } } }).configuration.operation.uriTemplate, "/v1/responses");
  const outbound = JSON.stringify(responsesTrace.traceEntries.outbound);
  assert.match(outbound, /"x-ms-stream"/);
  assert.ok(!JSON.stringify(responsesTrace).includes(`Bearer ${lab.subscriptionKey}`), "the SDK's bearer header is switched off");
});

test("v1 chat completions through the gateway with the OpenAI client, and a response not streamed: x-ms-stream False", async () => {
  const chat = await client().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Count to 3." }] });
  assert.equal(chat.choices[0].message.content, "1, 2, 3");
  const whole = await post("/openai/v1/responses", { model: "gpt-4o-mini", input: "Count to 3." });
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get("x-ms-stream"), "False");
  assert.equal((await whole.json()).output[0].content[0].text, "1, 2, 3");
});

test("the buffered API holds a Responses stream back too: one read, 8 KB pieces", async () => {
  const res = await post("/buffered/openai/v1/responses", { model: "gpt-4o-mini", input: "Count to 40.", stream: true }, { "x-lab-timing": "first-token=0; token=5; jitter=0" });
  assert.equal(res.status, 200);
  const sizes: number[] = [];
  for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) sizes.push(piece.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  assert.ok(total > 8192, `${total} bytes`);
  assert.ok(sizes[0] >= 8192, `the first read is a whole 8 KB piece, not an event (${sizes[0]} bytes)`);
});

test("faults reach the Responses API through the gateway: a 429 for the SDK, a cut stream, a nested error event the SDK throws on", async () => {
  const limited = await post("/openai/v1/responses", { model: "gpt-4o-mini", input: "hi", stream: true }, { "x-lab-fault": "429=5" });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "5");
  await assert.rejects(
    client().responses.create({ model: "gpt-4o-mini", input: "hi", stream: true }, { headers: { "x-lab-fault": "429=5" } }),
    (e: { status?: number; constructor: { name: string } }) => e.status === 429 && e.constructor.name === "RateLimitError",
  );

  const failing = await client().responses.create({ model: "gpt-4o-mini", input: "Count to 10.", stream: true }, { headers: { "x-lab-fault": "error-event-after=6" } });
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const event of failing) seen.push(event.type);
    })(),
    { message: "The server had an error while processing your request. Sorry about that!" },
  );
  assert.deepEqual(seen, ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta"]);

  const cut = await post("/openai/v1/responses", { model: "gpt-4o-mini", input: "Count to 10.", stream: true }, { "x-lab-fault": "drop-after=5" });
  await assert.rejects(cut.text());
});

test("the gateway answers an unknown v1 path with APIM's operation-not-found", async () => {
  const res = await post("/openai/v1/embeddings", { model: "gpt-4o-mini", input: "hi" });
  assert.equal(res.status, 404);
  const trace = await traceOf(res);
  assert.match(JSON.stringify(trace.traceEntries["on-error"]), /OperationNotFound/);
});

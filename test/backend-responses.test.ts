/**
 * The simulator's v1 API: `/openai/v1/chat/completions` with the model in the body, and
 * `/openai/v1/responses` streamed and not. Literals from a real Azure Responses stream
 * (AZ-TEXT in /work/notes/responses-and-filters.md: vercel/ai's azure-text.1 fixture) and
 * the openai package's `ResponseStreamEvent` types.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { startBackend, type BackendServer } from "../lib/local-lab/backend";
import { COUNT_PROMPT, chunksOf, post, readEvents } from "./fixtures/backend-helpers";

let backend: BackendServer;
before(async () => {
  backend = await startBackend({ timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0 } });
});
after(() => backend.close());

const hundred = Array.from({ length: 100 }, (_, i) => i + 1).join(", ");

function postV1(path: "responses" | "chat/completions", body: unknown, headers: Record<string, string> = {}, query = ""): Promise<Response> {
  return fetch(`${backend.url}/openai/v1/${path}${query}`, {
    method: "POST",
    headers: { "api-key": backend.apiKey, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Each event's `event:` line and its JSON, read from the raw text. */
function namedEvents(text: string): Array<{ event: string | undefined; data: any }> {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
      const data = lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "";
      return { event, data: JSON.parse(data) };
    });
}

const RESPONSE_KEYS = [
  "id", "object", "created_at", "status", "background", "completed_at", "content_filters", "error", "incomplete_details",
  "instructions", "max_output_tokens", "max_tool_calls", "model", "output", "parallel_tool_calls", "previous_response_id",
  "prompt_cache_key", "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier", "store", "temperature",
  "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "usage", "user", "metadata",
];

test("v1 responses, streamed: named events in the openai types' order, sequence_number 0, 1, 2..., no [DONE]", async () => {
  const res = await postV1("responses", { model: "gpt-4o-mini", input: COUNT_PROMPT, stream: true });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  assert.match(res.headers.get("x-ms-served-model") ?? "", /^gpt-4o-mini-/, "the deployment named in the body served it");
  const text = await res.text();
  assert.ok(!text.includes("[DONE]"));
  const events = namedEvents(text);

  for (const [i, e] of events.entries()) {
    assert.equal(e.event, e.data.type, "the event's name is its type");
    assert.equal(e.data.sequence_number, i);
    assert.deepEqual(Object.keys(e.data).slice(0, 2), ["type", "sequence_number"]);
  }
  const types = events.map((e) => e.data.type);
  const deltas = events.filter((e) => e.data.type === "response.output_text.delta");
  assert.ok(deltas.length > 100);
  assert.deepEqual(types, [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    ...deltas.map(() => "response.output_text.delta"),
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
  ]);

  const [created, inProgress, itemAdded, partAdded] = events.map((e) => e.data);
  assert.deepEqual(Object.keys(created.response), RESPONSE_KEYS);
  assert.match(created.response.id, /^resp_[0-9a-f]{50}$/);
  assert.equal(created.response.object, "response");
  assert.equal(created.response.status, "in_progress");
  assert.equal(created.response.usage, null);
  assert.equal(created.response.content_filters, null);
  assert.equal(created.response.service_tier, "auto");
  assert.equal(created.response.model, "gpt-4o-mini-2024-07-18");
  assert.equal(typeof created.response.created_at, "number");
  assert.deepEqual(inProgress.response, created.response);

  assert.deepEqual(Object.keys(itemAdded), ["type", "sequence_number", "output_index", "item"]);
  const messageId = itemAdded.item.id;
  assert.match(messageId, /^msg_[0-9a-f]{50}$/);
  assert.equal(messageId.slice(4, 20), created.response.id.slice(5, 21), "the message id shares the response id's first 16 hex digits");
  assert.deepEqual(itemAdded.item, { id: messageId, type: "message", status: "in_progress", content: [], role: "assistant" });
  assert.deepEqual(Object.keys(partAdded), ["type", "sequence_number", "item_id", "output_index", "content_index", "part"]);
  assert.deepEqual(partAdded.part, { type: "output_text", annotations: [], logprobs: [], text: "" });

  for (const d of deltas) {
    assert.deepEqual(Object.keys(d.data), ["type", "sequence_number", "item_id", "output_index", "content_index", "delta", "logprobs", "obfuscation"]);
    assert.equal(d.data.item_id, messageId);
    assert.equal(typeof d.data.delta, "string");
    assert.deepEqual(d.data.logprobs, []);
    assert.match(d.data.obfuscation, /^[A-Za-z0-9]+$/);
    assert.equal((d.data.delta.length + d.data.obfuscation.length) % 16, 0, "delta and padding fill a 16-character bucket");
  }
  assert.equal(deltas.map((d) => d.data.delta).join(""), hundred);

  const [textDone, partDone, itemDone, completed] = events.slice(-4).map((e) => e.data);
  assert.deepEqual(Object.keys(textDone), ["type", "sequence_number", "item_id", "output_index", "content_index", "text", "logprobs"]);
  assert.equal(textDone.text, hundred);
  assert.deepEqual(partDone.part, { type: "output_text", annotations: [], logprobs: [], text: hundred });
  assert.deepEqual(itemDone.item, { id: messageId, type: "message", status: "completed", content: [partDone.part], role: "assistant" });

  const r = completed.response;
  assert.deepEqual(Object.keys(r), RESPONSE_KEYS);
  assert.equal(r.id, created.response.id);
  assert.equal(r.status, "completed");
  assert.equal(r.service_tier, "default");
  assert.equal(typeof r.completed_at, "number");
  assert.deepEqual(r.output, [itemDone.item]);
  assert.deepEqual(Object.keys(r.usage), ["input_tokens", "input_tokens_details", "output_tokens", "output_tokens_details", "total_tokens"]);
  assert.deepEqual(r.usage.input_tokens_details, { cached_tokens: 0 });
  assert.deepEqual(r.usage.output_tokens_details, { reasoning_tokens: 0 });
  assert.equal(r.usage.output_tokens, deltas.length, "one token per delta at tokens-per-event 1");
  assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
  assert.deepEqual(r.content_filters.map((f: any) => [f.source_type, f.blocked, Object.keys(f)]), [
    ["prompt", false, ["blocked", "source_type", "content_filter_raw", "content_filter_results", "content_filter_offsets"]],
    ["completion", false, ["blocked", "source_type", "content_filter_raw", "content_filter_results", "content_filter_offsets"]],
  ]);
});

test("v1 responses, not streamed: the finished Response as JSON, the same text and usage", async () => {
  const res = await postV1("responses", { model: "gpt-4o-mini", input: [{ role: "user", content: [{ type: "input_text", text: COUNT_PROMPT }] }] });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.deepEqual(Object.keys(body), RESPONSE_KEYS);
  assert.equal(body.status, "completed");
  assert.equal(body.output[0].content[0].text, hundred);
  assert.equal(body.usage.output_tokens > 100, true);
});

test("v1 responses: max_output_tokens cuts the reply and the stream ends in response.incomplete", async () => {
  const res = await postV1("responses", { model: "gpt-4o-mini", input: COUNT_PROMPT, stream: true, max_output_tokens: 5 });
  const events = namedEvents(await res.text()).map((e) => e.data);
  const last = events[events.length - 1];
  assert.equal(last.type, "response.incomplete");
  assert.equal(last.response.status, "incomplete");
  assert.deepEqual(last.response.incomplete_details, { reason: "max_output_tokens" });
  assert.equal(last.response.usage.output_tokens, 5);
  assert.equal(events.filter((e) => e.type === "response.output_text.delta").length, 5);
  assert.equal(events[events.length - 2].item.status, "incomplete");
});

test("v1 responses: deltas come when the timing model says (x-lab-timing; no filter holding them back), the opening events at once with the first", async () => {
  const sent = performance.now();
  const headers = { "x-lab-timing": "first-token=250; token=40; jitter=0", "x-lab-content-filter": "none" };
  const res = await postV1("responses", { model: "gpt-4o-mini", input: "Count to 5", stream: true }, headers);
  const arrivals = await readEvents(res, sent);
  const deltas = arrivals.filter((a) => JSON.parse(a.data).type === "response.output_text.delta");
  assert.ok(deltas[0].ms >= 240, `first delta at ${deltas[0].ms} ms`);
  assert.ok(arrivals[0].ms >= 240, "response.created comes with the first token");
  const last = deltas[deltas.length - 1].ms;
  assert.ok(last - deltas[0].ms >= 40 * (deltas.length - 1) - 20, `deltas spread over ${last - deltas[0].ms} ms`);
});

test("v1 responses: a mid-stream fault sends Azure's nested error event, then response.failed, numbering on", async () => {
  const res = await postV1("responses", { model: "gpt-4o-mini", input: COUNT_PROMPT, stream: true }, { "x-lab-fault": "error-event-after=6" });
  assert.equal(res.headers.get("x-lab-fault-injected"), "error-event-after=6");
  const events = namedEvents(await res.text());
  assert.deepEqual(events.map((e) => e.data.sequence_number), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(events[6].event, "error");
  assert.deepEqual(events[6].data, {
    type: "error",
    sequence_number: 6,
    error: { type: "server_error", code: "server_error", message: "The server had an error while processing your request. Sorry about that!", param: null },
  });
  assert.equal(events[7].event, "response.failed");
  assert.equal(events[7].data.response.status, "failed");
  assert.deepEqual(events[7].data.response.error, { code: "server_error", message: "The server had an error while processing your request. Sorry about that!" });
});

test("v1 responses: an injected 429 names the Responses operation and API version v1", async () => {
  const res = await postV1("responses", { model: "gpt-4o-mini", input: "hi", stream: true }, { "x-lab-fault": "429=3" });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3");
  const body = await res.json();
  assert.equal(body.error.code, "429");
  assert.match(body.error.message, /^Requests to the Responses_Create Operation under Azure OpenAI API version v1 have exceeded call rate limit .* Please retry after 3 seconds\./);
});

test("v1 errors: unknown model is DeploymentNotFound in the four-field form; no model, bad input and bad JSON are 400s", async () => {
  const notFound = await postV1("responses", { model: "gpt-9", input: "hi" });
  assert.equal(notFound.status, 404);
  assert.deepEqual(await notFound.json(), {
    error: {
      code: "DeploymentNotFound",
      message: "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
      param: null,
      type: "invalid_request_error",
    },
  });
  const noModel = await postV1("chat/completions", { messages: [{ role: "user", content: "hi" }] });
  assert.equal(noModel.status, 400);
  assert.deepEqual(await noModel.json(), { error: { code: "missing_required_parameter", message: "Missing required parameter: 'model'.", param: "model", type: "invalid_request_error" } });
  const noInput = await postV1("responses", { model: "gpt-4o-mini" });
  assert.equal(noInput.status, 400);
  assert.equal((await noInput.json()).error.param, "input");
  const badInput = await postV1("responses", { model: "gpt-4o-mini", input: 42 });
  assert.equal((await badInput.json()).error.message, "'input' must be a string or an array of messages");
  const badJson = await postV1("responses", "{not json");
  assert.equal(badJson.status, 400);
  assert.match((await badJson.json()).error.message, /^The request body is not valid JSON/);
  const noKey = await fetch(`${backend.url}/openai/v1/responses`, { method: "POST", body: "{}" });
  assert.equal(noKey.status, 401);
});

test("v1 chat completions: the model in the body, no api-version, the same stream as the dated route", async () => {
  const body = { messages: [{ role: "user", content: COUNT_PROMPT }], stream: true, stream_options: { include_usage: true } };
  const v1 = await postV1("chat/completions", { ...body, model: "gpt-4.1-mini" });
  assert.equal(v1.status, 200);
  assert.equal(v1.headers.get("x-ms-served-model"), "gpt-4.1-mini-2025-04-14", "the deployment named in the body served it");
  const dated = await post(backend, body, { deployment: "gpt-4.1-mini" });
  const [a, b] = [chunksOf(await readEvents(v1)), chunksOf(await readEvents(dated))];
  const shape = (chunks: any[]) => chunks.map((c) => [Object.keys(c), c.model, c.choices[0]?.delta]);
  assert.deepEqual(shape(a), shape(b));
  assert.equal(a[a.length - 1].usage.total_tokens, b[b.length - 1].usage.total_tokens);
  const preview = await postV1("chat/completions", { ...body, stream: false, stream_options: undefined, model: "gpt-4.1-mini" }, {}, "?api-version=preview");
  assert.equal(preview.status, 200);
  assert.equal((await preview.json()).object, "chat.completion");
});

test("the openai package's OpenAI client reads the v1 responses stream: create({stream}) and .stream()'s finalResponse", async () => {
  const client = new OpenAI({ baseURL: `${backend.url}/openai/v1/`, apiKey: backend.apiKey, maxRetries: 0 });
  const stream = await client.responses.create({ model: "gpt-4o-mini", input: "Count to 20", stream: true });
  let text = "";
  const types: string[] = [];
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === "response.output_text.delta") text += event.delta;
  }
  assert.equal(text, Array.from({ length: 20 }, (_, i) => i + 1).join(", "));
  assert.equal(types[types.length - 1], "response.completed");
  // .stream() checks the sequence as it accumulates (it throws on an event out of place).
  const final = await client.responses.stream({ model: "gpt-4o-mini", input: "Count to 3" }).finalResponse();
  assert.equal(final.status, "completed");
  assert.equal(final.output_text, "1, 2, 3");
  const whole = await client.responses.create({ model: "gpt-4o-mini", input: "Count to 3" });
  assert.equal(whole.output_text, "1, 2, 3");
});

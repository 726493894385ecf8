import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as o200k from "gpt-tokenizer/encoding/o200k_base";
import * as cl100k from "gpt-tokenizer/encoding/cl100k_base";
import { startBackend, type BackendServer } from "../lib/local-lab/backend";
import { API_VERSION, COUNT_PROMPT, chunksOf, post, readEvents, TIME_MESSAGES } from "./fixtures/backend-helpers";

let backend: BackendServer;
before(async () => {
  backend = await startBackend({ timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0 } });
});
after(() => backend.close());

const countMessages = [{ role: "user", content: COUNT_PROMPT }];
const hundred = Array.from({ length: 100 }, (_, i) => i + 1).join(", ");
const FILTER_KEYS = ["hate", "self_harm", "sexual", "violence"];

test("streamed: Azure's exact chunk sequence, one id, usage equal to the tokenizer's", async () => {
  const before = Math.floor(Date.now() / 1000);
  const res = await post(backend, { messages: countMessages, stream: true, stream_options: { include_usage: true } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  assert.equal(res.headers.get("x-ms-region"), "Sweden Central");
  assert.equal(res.headers.get("x-ms-served-model"), "gpt-4o-mini-2024-07-18");
  assert.match(res.headers.get("apim-request-id") ?? "", /^[0-9a-f-]{36}$/);
  assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  assert.match(res.headers.get("x-ratelimit-remaining-requests") ?? "", /^\d+$/);
  assert.match(res.headers.get("x-ratelimit-remaining-tokens") ?? "", /^\d+$/);

  const events = await readEvents(res);
  assert.equal(events[events.length - 1].data, "[DONE]");
  assert.equal(events.filter((e) => e.data === "[DONE]").length, 1);
  const chunks = chunksOf(events);

  const [filter, role] = chunks;
  assert.deepEqual(Object.keys(filter), ["choices", "created", "id", "model", "object", "prompt_filter_results"]);
  assert.deepEqual(filter.choices, []);
  assert.equal(filter.id, "");
  assert.equal(filter.model, "");
  assert.equal(filter.object, "");
  assert.equal(filter.created, 0);
  assert.equal(filter.prompt_filter_results[0].prompt_index, 0);
  assert.deepEqual(Object.keys(filter.prompt_filter_results[0].content_filter_results), ["hate", "jailbreak", "self_harm", "sexual", "violence"]);

  assert.deepEqual(role.choices[0].delta, { content: "", refusal: null, role: "assistant" });
  const id = role.id;
  assert.match(id, /^chatcmpl-[A-Za-z0-9]{29}$/);

  const usageChunk = chunks[chunks.length - 1];
  const finish = chunks[chunks.length - 2];
  const content = chunks.slice(2, -2);
  assert.ok(content.length > 100);
  for (const c of [role, ...content, finish, usageChunk]) {
    assert.equal(c.id, id);
    assert.equal(c.object, "chat.completion.chunk");
    assert.equal(c.model, "gpt-4o-mini-2024-07-18");
    assert.match(c.system_fingerprint, /^fp_[0-9a-f]{10}$/);
    assert.ok(c.created >= before && c.created <= before + 5);
  }
  for (const c of content) {
    assert.equal(c.choices.length, 1);
    const choice = c.choices[0];
    assert.deepEqual(Object.keys(choice.delta), ["content"]);
    assert.ok(choice.delta.content.length > 0);
    assert.deepEqual(Object.keys(choice.content_filter_results), FILTER_KEYS);
    assert.equal(choice.finish_reason, null);
    assert.equal(choice.index, 0);
    assert.equal(choice.logprobs, null);
    assert.equal(c.usage, null);
  }
  assert.equal(content.map((c) => c.choices[0].delta.content).join(""), hundred);

  assert.deepEqual(finish.choices[0].delta, {});
  assert.equal(finish.choices[0].finish_reason, "stop");
  assert.equal(finish.usage, null);

  assert.deepEqual(usageChunk.choices, []);
  const completionTokens = o200k.encode(hundred).length;
  const promptTokens = o200k.encodeChat(countMessages as never, "gpt-4o").length;
  assert.equal(content.length, completionTokens, "one token per event by default");
  assert.equal(usageChunk.usage.completion_tokens, completionTokens);
  assert.equal(usageChunk.usage.prompt_tokens, promptTokens);
  assert.equal(usageChunk.usage.total_tokens, promptTokens + completionTokens);
});

test("streamed without include_usage: no usage chunk and no usage field", async () => {
  const res = await post(backend, { messages: TIME_MESSAGES, stream: true });
  const chunks = chunksOf(await readEvents(res));
  for (const c of chunks) assert.equal("usage" in c, false);
  assert.equal(chunks[chunks.length - 1].choices[0].finish_reason, "stop");
  const text = chunks.slice(2, -1).map((c) => c.choices[0].delta.content).join("");
  assert.match(text, /^\[local lab simulator\] You asked: "Can you tell me the time, please\?"/);
});

test("max_tokens cuts the reply with finish_reason length; gpt-35-turbo counts with cl100k", async () => {
  const res = await post(
    backend,
    { messages: countMessages, stream: true, stream_options: { include_usage: true }, max_tokens: 10 },
    { deployment: "gpt-35-turbo" },
  );
  const chunks = chunksOf(await readEvents(res));
  const usage = chunks[chunks.length - 1].usage;
  assert.equal(chunks[chunks.length - 2].choices[0].finish_reason, "length");
  assert.equal(chunks[1].model, "gpt-35-turbo");
  assert.equal(usage.completion_tokens, 10);
  assert.equal(usage.prompt_tokens, cl100k.encodeChat(countMessages as never, "gpt-3.5-turbo").length);
  const text = chunks.slice(2, -2).map((c) => c.choices[0].delta.content).join("");
  assert.equal(text, cl100k.decode(cl100k.encode(hundred).slice(0, 10)));
});

test("not streamed: a chat.completion with the whole reply and its usage", async () => {
  const res = await post(backend, { messages: countMessages, max_completion_tokens: 1000 });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(body.object, "chat.completion");
  assert.match(body.id, /^chatcmpl-/);
  assert.equal(body.model, "gpt-4o-mini-2024-07-18");
  assert.equal(body.prompt_filter_results[0].prompt_index, 0);
  assert.deepEqual(body.choices[0].message, { annotations: [], content: hundred, refusal: null, role: "assistant" });
  assert.equal(body.choices[0].finish_reason, "stop");
  assert.equal(body.usage.completion_tokens, o200k.encode(hundred).length);
});

test("same request and seed: same chunks; tokens-per-event (a load knob) groups tokens", async () => {
  const texts = async (timing: string) => {
    const res = await post(backend, { messages: TIME_MESSAGES, stream: true }, { headers: { "x-lab-timing": timing } });
    assert.equal(res.status, 200);
    return chunksOf(await readEvents(res)).slice(2, -1).map((c) => c.choices[0].delta.content as string);
  };
  const a = await texts("none; tokens-per-event=3; seed=7");
  assert.deepEqual(await texts("none; tokens-per-event=3; seed=7"), a);
  const total = o200k.encode(a.join("")).length;
  assert.equal(a.length, Math.ceil(total / 3));
  assert.ok((await texts("none")).length > a.length);
});

test("asynchronous filter, fixed per-token latency: content spread over time; headers come with the first event", async () => {
  const firstTokenMs = 200;
  const tokenMs = 10;
  const { performance } = await import("node:perf_hooks");
  const sentAt = performance.now();
  const res = await post(
    backend,
    { messages: [{ role: "user", content: "Count to 40, with a comma between each number" }], stream: true },
    { headers: { "x-lab-timing": `first-token=${firstTokenMs}; token=${tokenMs}; jitter=0`, "x-lab-content-filter": "asynchronous" } },
  );
  const headersMs = performance.now() - sentAt;
  const events = await readEvents(res, sentAt);
  const content = events.filter((e) => e.data !== "[DONE]" && JSON.parse(e.data).choices[0]?.delta?.content);
  const span = (content.length - 1) * tokenMs;
  const seen = content[content.length - 1].ms - content[0].ms;
  // Azure sends nothing, headers included, before the first token is ready (FIELD-NOTES §8).
  assert.ok(headersMs >= firstTokenMs * 0.9, `headers at ${headersMs.toFixed(1)} ms, before the first token was due`);
  assert.ok(events[0].ms - headersMs <= firstTokenMs * 0.1, `headers at ${headersMs.toFixed(1)} ms, first event at ${events[0].ms.toFixed(1)} ms`);
  assert.ok(content[0].ms >= firstTokenMs * 0.9, `first content at ${content[0].ms.toFixed(1)} ms`);
  assert.ok(seen >= 0.8 * span, `first to last content ${seen.toFixed(1)} ms of ${span} ms configured`);
  console.log(`# spread: ${seen.toFixed(1)} ms of ${span} ms configured (${(seen / span).toFixed(3)}), headers ${headersMs.toFixed(1)} ms, first content ${content[0].ms.toFixed(1)} ms`);
});

/**
 * The simulator's chunks against literals written from recorded Azure streams
 * (FIELD-NOTES §8; the verbatim gpt-4.1-mini lines of 2026 in notes/responses-and-filters.md
 * B5 and B7) and, for the asynchronous filter, Microsoft's documented annotation chunk
 * (B2). Compared as JSON text, so keys, key order, types and values all count. Values
 * that differ per call are replaced by a placeholder after their type is checked.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBackend, type BackendServer } from "../lib/local-lab/backend";
import { chunksOf, post, readEvents } from "./fixtures/backend-helpers";

let backend: BackendServer;
before(async () => {
  backend = await startBackend({ timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0, burstMs: 0 } });
});
after(() => backend.close());

const messages = [{ role: "user", content: "Count to 5." }];

/** Checks the per-call values' types, then puts placeholders in their place. */
function normalize(chunk: any): any {
  const out = JSON.parse(JSON.stringify(chunk));
  if (out.id !== "") {
    assert.match(out.id, /^chatcmpl-[A-Za-z0-9]{29}$/);
    out.id = "<id>";
  }
  if (out.created !== 0) {
    assert.ok(Number.isInteger(out.created) && out.created > 1_700_000_000, `created ${out.created}`);
    out.created = "<created>";
  }
  if (typeof out.obfuscation === "string" && out.obfuscation !== "") {
    assert.match(out.obfuscation, /^[A-Za-z0-9]+$/);
    out.obfuscation = "<obfuscation>";
  }
  if ("system_fingerprint" in out) {
    assert.match(out.system_fingerprint, /^fp_[0-9a-f]{10}$/);
    out.system_fingerprint = "<fp>";
  }
  const delta = out.choices?.[0]?.delta;
  if (delta && typeof delta.content === "string" && delta.content !== "") delta.content = "<text>";
  if (out.usage) {
    for (const k of ["completion_tokens", "prompt_tokens", "total_tokens"]) {
      assert.ok(Number.isInteger(out.usage[k]) && out.usage[k] > 0);
      out.usage[k] = "<n>";
    }
  }
  return out;
}

const SAFE = { filtered: false, severity: "safe" };
const FOUR = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER = {
  choices: [],
  created: 0,
  id: "",
  model: "",
  object: "",
  prompt_filter_results: [
    { prompt_index: 0, content_filter_results: { hate: SAFE, jailbreak: { filtered: false, detected: false }, self_harm: SAFE, sexual: SAFE, violence: SAFE } },
  ],
};

/** A chunk of the completion, keys as recorded (alphabetical); `cfr` undefined leaves the key out. */
function chunk(model: string, cfr: object | undefined, rest: object, includeUsage: boolean) {
  const choice = cfr === undefined ? rest : { content_filter_results: cfr, ...rest };
  const c: Record<string, unknown> = {
    choices: [choice],
    created: "<created>",
    id: "<id>",
    model,
    obfuscation: "<obfuscation>",
    object: "chat.completion.chunk",
    service_tier: "default",
    system_fingerprint: "<fp>",
  };
  if (includeUsage) c.usage = null;
  return c;
}

function expected(mode: string, model: string, contentResults: object, includeUsage: boolean, contentCount: number) {
  const cfr = (v: object) => (mode === "default" ? v : undefined);
  const seq: object[] = [];
  if (mode !== "none") seq.push(PROMPT_FILTER);
  seq.push(chunk(model, cfr({}), { delta: { content: "", refusal: null, role: "assistant" }, finish_reason: null, index: 0, logprobs: null }, includeUsage));
  for (let i = 0; i < contentCount; i++) {
    seq.push(chunk(model, cfr(contentResults), { delta: { content: "<text>" }, finish_reason: null, index: 0, logprobs: null }, includeUsage));
  }
  seq.push(chunk(model, cfr({}), { delta: {}, finish_reason: "stop", index: 0, logprobs: null }, includeUsage));
  if (mode === "asynchronous") {
    const annotation: Record<string, unknown> = {
      choices: [{ content_filter_offsets: { check_offset: 11, end_offset: 24, start_offset: 11 }, content_filter_results: contentResults, finish_reason: null, index: 0 }],
      created: 0,
      id: "",
      model: "",
      object: "",
    };
    if (includeUsage) annotation.usage = null;
    seq.push(annotation);
  }
  if (includeUsage) {
    seq.push({
      choices: [],
      created: "<created>",
      id: "<id>",
      model,
      obfuscation: "",
      object: "chat.completion.chunk",
      service_tier: "default",
      system_fingerprint: "<fp>",
      usage: {
        completion_tokens: "<n>",
        completion_tokens_details: { accepted_prediction_tokens: 0, audio_tokens: 0, reasoning_tokens: 0, rejected_prediction_tokens: 0 },
        prompt_tokens: "<n>",
        prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
        total_tokens: "<n>",
      },
    });
  }
  return seq;
}

const MODELS = [
  // gpt-4.1-mini (2026): `{}` on content chunks; gpt-4o (2025): the four categories.
  { deployment: "gpt-4.1-mini", model: "gpt-4.1-mini-2025-04-14", contentResults: {} },
  { deployment: "gpt-4o-mini", model: "gpt-4o-mini-2024-07-18", contentResults: FOUR },
];

for (const mode of ["default", "asynchronous", "none"]) {
  for (const { deployment, model, contentResults } of MODELS) {
    for (const includeUsage of [true, false]) {
      test(`${mode} filter, ${deployment}, ${includeUsage ? "with" : "without"} include_usage: the chunks as recorded, key for key`, async () => {
        const body = { messages, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) };
        const res = await post(backend, body, { deployment, headers: { "x-lab-content-filter": mode } });
        assert.equal(res.status, 200);
        const events = await readEvents(res);
        assert.equal(events[events.length - 1].data, "[DONE]");
        const chunks = chunksOf(events);
        const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
        assert.equal(text, "1, 2, 3, 4, 5");
        const contentCount = chunks.filter((c) => c.choices[0]?.delta?.content).length;
        assert.ok(contentCount >= 5, `${contentCount} content chunks`);
        const actual = chunks.map(normalize);
        const want = expected(mode, model, contentResults, includeUsage, contentCount);
        assert.equal(actual.length, want.length);
        actual.forEach((c, i) => assert.equal(JSON.stringify(c), JSON.stringify(want[i]), `chunk ${i}`));
        const ids = new Set(chunks.filter((c) => c.id !== "").map((c) => c.id));
        assert.equal(ids.size, 1, "one id for the whole completion");
      });
    }
  }
}

test("obfuscation: random alphanumerics of varying length, the same for the same request and seed", async () => {
  const values = async () => {
    const res = await post(backend, { messages, stream: true }, { headers: { "x-lab-timing": "none; seed=5" } });
    return chunksOf(await readEvents(res)).filter((c) => c.id !== "").map((c) => c.obfuscation as string);
  };
  const a = await values();
  assert.deepEqual(await values(), a);
  assert.ok(new Set(a.map((s) => s.length)).size > 1, `lengths ${a.map((s) => s.length)}`);
});

test("not streamed: a chat.completion with the filter's verdicts, none without a filter", async () => {
  const filtered = await (await post(backend, { messages }, { deployment: "gpt-4.1-mini" })).json();
  assert.deepEqual(Object.keys(filtered), ["choices", "created", "id", "model", "object", "prompt_filter_results", "system_fingerprint", "usage"]);
  assert.deepEqual(Object.keys(filtered.choices[0]), ["content_filter_results", "finish_reason", "index", "logprobs", "message"]);
  assert.deepEqual(filtered.prompt_filter_results, PROMPT_FILTER.prompt_filter_results);
  const plain = await (await post(backend, { messages }, { deployment: "gpt-4.1-mini", headers: { "x-lab-content-filter": "none" } })).json();
  assert.deepEqual(Object.keys(plain), ["choices", "created", "id", "model", "object", "system_fingerprint", "usage"]);
  assert.deepEqual(plain.choices[0], { finish_reason: "stop", index: 0, logprobs: null, message: { annotations: [], content: "1, 2, 3, 4, 5", refusal: null, role: "assistant" } });
  assert.deepEqual(Object.keys(plain.usage), ["completion_tokens", "completion_tokens_details", "prompt_tokens", "prompt_tokens_details", "total_tokens"]);
});

test("headers as recorded, the lab's own under x-lab-*; no x-ms-deployment-name", async () => {
  const res = await post(backend, { messages, stream: true }, { deployment: "gpt-4.1-mini" });
  await res.arrayBuffer();
  const h = res.headers;
  assert.equal(h.get("x-ms-served-model"), "gpt-4.1-mini-2025-04-14");
  assert.match(h.get("azureml-model-session") ?? "", /^d\d{14}-[0-9a-f]{8}$/);
  assert.equal(h.get("x-content-type-options"), "nosniff");
  assert.match(h.get("strict-transport-security") ?? "", /^max-age=\d+/);
  for (const name of ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens", "x-ratelimit-renewalperiod-requests", "x-ratelimit-renewalperiod-tokens"]) {
    assert.match(h.get(name) ?? "", /^\d+$/, name);
  }
  assert.equal(h.get("x-ms-deployment-name"), null);
  assert.equal(h.get("x-lab-content-filter"), "default");
  assert.equal(h.get("x-lab-backend"), "simulator");
});

test("x-lab-content-filter: an unknown mode is a 400 that names the modes", async () => {
  const res = await post(backend, { messages, stream: true }, { headers: { "x-lab-content-filter": "async" } });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.code, "InvalidLabContentFilter");
  assert.match(body.error.message, /unknown content filter "async"; expected default, asynchronous, none/);
});

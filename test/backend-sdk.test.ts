import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AzureOpenAI, APIError } from "openai";
import * as o200k from "gpt-tokenizer/encoding/o200k_base";
import { startBackend, type BackendServer } from "../lib/local-lab/backend";
import { API_VERSION, COUNT_PROMPT, TIME_MESSAGES } from "./fixtures/backend-helpers";

let backend: BackendServer;
before(async () => {
  backend = await startBackend({ timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0 }, region: "East US 2" });
});
after(() => backend.close());

const client = (options: Partial<ConstructorParameters<typeof AzureOpenAI>[0]> = {}) =>
  new AzureOpenAI({ endpoint: backend.url, apiKey: backend.apiKey, apiVersion: API_VERSION, deployment: "gpt-4o-mini", maxRetries: 0, ...options });

const hundred = Array.from({ length: 100 }, (_, i) => i + 1).join(", ");

test("AzureOpenAI streamed, with the raw response's headers", async () => {
  const { data: stream, response } = await client()
    .chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: COUNT_PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    })
    .withResponse();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-ms-region"), "East US 2");
  assert.equal(response.headers.get("x-ms-served-model"), "gpt-4o-mini-2024-07-18");
  assert.ok(response.headers.get("apim-request-id"));

  let text = "";
  let emptyChoices = 0;
  let finishReason: string | null = null;
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  for await (const chunk of stream) {
    // The prompt-filter and usage chunks have no choices: clients must guard, as here.
    if (chunk.choices.length === 0) emptyChoices++;
    text += chunk.choices[0]?.delta?.content ?? "";
    finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, hundred);
  assert.equal(finishReason, "stop");
  assert.equal(emptyChoices, 2);
  assert.equal(usage?.completion_tokens, o200k.encode(hundred).length);
});

test("AzureOpenAI not streamed", async () => {
  const { data, response } = await client()
    .chat.completions.create({ model: "gpt-4o-mini", messages: TIME_MESSAGES as never })
    .withResponse();
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.match(data.choices[0].message.content ?? "", /^\[local lab simulator\] You asked: "Can you tell me the time, please\?"/);
  assert.equal(data.model, "gpt-4o-mini-2024-07-18");
  assert.equal(data.usage?.prompt_tokens, o200k.encodeChat(TIME_MESSAGES as never, "gpt-4o").length);
});

test("a bearer token is accepted in place of the api-key header", async () => {
  const viaToken = new AzureOpenAI({
    endpoint: backend.url,
    azureADTokenProvider: async () => backend.apiKey,
    apiVersion: API_VERSION,
    deployment: "gpt-35-turbo",
    maxRetries: 0,
  });
  const data = await viaToken.chat.completions.create({ model: "gpt-35-turbo", messages: [{ role: "user", content: "count to 3" }] });
  assert.equal(data.choices[0].message.content, "1, 2, 3");
});

test("SDK errors carry Azure's status and code", async () => {
  await assert.rejects(
    client({ deployment: "no-such-deployment" }).chat.completions.create({ model: "x", messages: [{ role: "user", content: "hi" }] }),
    (err: unknown) => err instanceof APIError && err.status === 404 && err.code === "DeploymentNotFound",
  );
  await assert.rejects(
    client({ apiKey: "wrong-key-0000" }).chat.completions.create({ model: "x", messages: [{ role: "user", content: "hi" }] }),
    (err: unknown) => err instanceof APIError && err.status === 401,
  );
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkApiVersion, parseChatRequest, parseRoute } from "../lib/local-lab/backend/validate";

test("routes: only chat completions under a deployment", () => {
  assert.deepEqual(parseRoute("/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-02-01"), {
    deployment: "gpt-4o-mini",
    apiVersion: "2024-02-01",
  });
  assert.deepEqual(parseRoute("/openai/deployments/x/chat/completions"), { deployment: "x", apiVersion: null });
  assert.equal((parseRoute("/openai/deployments/x/embeddings") as { status: number }).status, 404);
  assert.equal((parseRoute("/") as { status: number }).status, 404);
});

test("api-version: required, and dated", () => {
  assert.equal(checkApiVersion("2024-02-01"), undefined);
  assert.equal(checkApiVersion("2025-04-01-preview"), undefined);
  assert.equal(checkApiVersion(null)?.code, "MissingApiVersionParameter");
  assert.equal(checkApiVersion("")?.status, 400);
  for (const bad of ["latest", "2024-13-01", "2024-02-01-beta", "24-02-01"]) {
    assert.equal(checkApiVersion(bad)?.code, "InvalidApiVersionParameter", bad);
  }
});

test("a valid body becomes a typed request", () => {
  const req = parseChatRequest(JSON.stringify({
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Hello" }, { type: "image_url", image_url: { url: "x" } }] },
    ],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 50,
    max_completion_tokens: 10,
  }));
  assert.deepEqual(req, {
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }],
    stream: true,
    includeUsage: true,
    maxTokens: 10,
  });
});

test("every bad body gets a 400 naming what is wrong", () => {
  const cases: Array<[string, RegExp]> = [
    ["not json", /not valid JSON/],
    ["[1,2]", /must be a JSON object/],
    ["{}", /'messages' is a required property/],
    ['{"messages":"hi"}', /'messages' must be an array/],
    ['{"messages":[]}', /at least one message/],
    ['{"messages":[42]}', /messages\[0\] must be an object/],
    ['{"messages":[{"role":7,"content":"x"}]}', /messages\[0\]\.role must be a string/],
    ['{"messages":[{"role":"wizard","content":"x"}]}', /role 'wizard' is not one of/],
    ['{"messages":[{"role":"user","content":5}]}', /messages\[0\]\.content must be/],
    ['{"messages":[{"role":"user","content":"x"}],"stream":"yes"}', /'stream' must be a boolean/],
    ['{"messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}}', /only allowed when 'stream' is enabled/],
    ['{"messages":[{"role":"user","content":"x"}],"max_tokens":0}', /'max_tokens' must be an integer >= 1/],
    ['{"messages":[{"role":"user","content":"x"}],"n":2}', /only n = 1/],
    ['{"messages":[{"role":"user","content":"x"}],"temperature":3}', /'temperature' must be a number/],
  ];
  for (const [body, message] of cases) {
    const err = parseChatRequest(body) as { status: number; code: string; message: string };
    assert.equal(err.status, 400, body);
    assert.equal(err.code, "BadRequest", body);
    assert.match(err.message, message, body);
  }
});

/** The recording's pure parts: which names are secrets, the matching rule, the file format. */
import assert from "node:assert/strict";
import test from "node:test";
import { isSecretName, keyText, parseRecording, requestKey } from "../lib/local-lab/recording/index";
import { dropAfter, requestFault } from "../lib/local-lab/recording/faults";

test("credential names are secrets, counts of tokens are not", () => {
  for (const name of ["api-key", "Authorization", "Ocp-Apim-Subscription-Key", "subscription-key", "Cookie", "set-cookie", "Apim-Debug-Authorization", "access_token", "sasToken", "sig", "x-goog-api-key", "client_secret", "X-Signature"]) {
    assert.equal(isSecretName(name), true, name);
  }
  for (const name of ["x-ratelimit-remaining-tokens", "x-ratelimit-limit-tokens", "content-type", "x-ms-region", "api-version", "apim-request-id", "max_tokens", "monkey"]) {
    assert.equal(isSecretName(name), false, name);
  }
});

test("requests match on deployment, operation, stream and messages as normalized JSON, nothing else", () => {
  const url = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";
  const base = requestKey(url, JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true }));
  assert.deepEqual(base, { deployment: "gpt-4o", operation: "chat/completions", stream: true, messages: '[{"content":"hi","role":"user"}]' });
  const same = requestKey("/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview", '{ "temperature": 0.2, "stream": true, "messages": [ {"content":"hi", "role":"user"} ] }');
  assert.equal(keyText(same), keyText(base));
  assert.notEqual(keyText(requestKey(url.replace("gpt-4o", "gpt-4.1"), JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true }))), keyText(base));
  assert.notEqual(keyText(requestKey(url, JSON.stringify({ messages: [{ role: "user", content: "hi!" }], stream: true }))), keyText(base));
  // The v1 routes name the deployment in the body.
  assert.deepEqual(requestKey("/openai/v1/chat/completions", JSON.stringify({ model: "gpt-4o", messages: [], stream: false })), { deployment: "gpt-4o", operation: "chat/completions", stream: false, messages: "[]" });
});

test("a recording file that is not one is refused with its name and line", () => {
  assert.throws(() => parseRecording('{"type":"nope"}\n', "a.jsonl"), /a\.jsonl line 1: not a recording/);
  const head = '{"type":"recording","format":"apim-streaming-lab/recording","version":1}';
  const req = '{"type":"request","url":"/x","headers":{},"body":"{}"}';
  assert.throws(() => parseRecording(`${head}\n${req}\nnot json\n`, "b.jsonl"), /b\.jsonl line 3: not JSON/);
  const res = '{"type":"response","ms":5,"status":200,"headers":{}}';
  assert.throws(() => parseRecording(`${head}\n${req}\n${res}\n{"type":"read","ms":-1,"text":"x"}\n`, "c.jsonl"), /c\.jsonl line 4: expected a read/);
  // No end line: the writer was stopped mid-call, so the stream plays as cut.
  const cut = parseRecording(`${head}\n${req}\n${res}\n{"type":"read","ms":7,"text":"data: x"}\n`, "d.jsonl");
  assert.deepEqual(cut.end, { ms: 7, how: "cut" });
});

test("on a replay, drop-after=N cuts the recorded stream where its N-th event ends; faults that would change the model's bytes are refused", () => {
  const head = '{"type":"recording","format":"apim-streaming-lab/recording","version":1}\n{"type":"request","url":"/x","headers":{},"body":"{}"}\n{"type":"response","ms":5,"status":200,"headers":{}}';
  const reads = ['{"type":"read","ms":10,"text":"data: 1\\n\\ndata: 2\\n"}', '{"type":"read","ms":20,"text":"\\ndata: 3\\n\\n"}', '{"type":"read","ms":30,"text":"data: [DONE]\\n\\n"}'];
  const recording = parseRecording([head, ...reads, '{"type":"end","ms":31,"how":"complete"}'].join("\n"), "r.jsonl");
  const two = dropAfter(recording, 2);
  assert.deepEqual(two.reads.map((r) => [r.ms, r.bytes.toString()]), [[10, "data: 1\n\ndata: 2\n"], [20, "\n"]]);
  assert.deepEqual(two.end, { ms: 20, how: "cut" });
  assert.deepEqual(dropAfter(recording, 1).reads.map((r) => r.bytes.toString()), ["data: 1\n\n"]);
  assert.deepEqual(dropAfter(recording, 0).reads, []);
  assert.equal(dropAfter(recording, 9), recording, "fewer events: played as recorded");
  assert.deepEqual(requestFault({ "x-lab-fault": "drop-after=3" }, {}), { stream: { kind: "drop", after: 3 } });
  assert.equal((requestFault({}, { status: 429 }) as { status: number }).status, 429);
  for (const fault of ["error-event-after=2", "malformed-after=1", "slow-first-token=100"]) {
    assert.match((requestFault({ "x-lab-fault": fault }, {}) as { message: string }).message, /a replay plays what was recorded; of the faults it takes 429, 500, 503 and drop-after=<n>/, fault);
  }
});

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chooseReply, countingReply, simulatedReply, SIMULATOR_MARK } from "../lib/local-lab/backend/replies";
import { openReplyScript, parseReplyScript } from "../lib/local-lab/backend/reply-script";
import { splitIntoEvents, tokenizerFor } from "../lib/local-lab/backend/tokenizer";
import { COUNT_PROMPT } from "./fixtures/backend-helpers";

const user = (content: string) => [{ role: "user", content }];

test("the lab's counting prompt is answered by counting, with the separator it asks for", () => {
  const expected = Array.from({ length: 100 }, (_, i) => i + 1).join(", ");
  assert.equal(countingReply(COUNT_PROMPT), expected);
  assert.deepEqual(chooseReply(user(COUNT_PROMPT)), { text: expected, source: "count" });
  assert.equal(countingReply("count to 5, one number per line"), "1\n2\n3\n4\n5");
  assert.equal(countingReply("Please count from 3 to 6 separated by spaces"), "3 4 5 6");
  assert.equal(countingReply("Count down from 5"), "5, 4, 3, 2, 1");
  assert.equal(countingReply("What is the capital of France?"), undefined);
});

test("anything else gets a clearly simulated reply that quotes the question, 40-80 tokens", () => {
  const reply = chooseReply([{ role: "system", content: "You are sarcastic." }, ...user("Can you tell me the time, please?")]);
  assert.equal(reply.source, "simulated");
  assert.ok(reply.text.startsWith(`${SIMULATOR_MARK} You asked: "Can you tell me the time, please?"`), reply.text);
  assert.match(reply.text, /No language model read this/);
  const tokens = tokenizerFor("gpt-4o-mini").encode(reply.text).length;
  assert.ok(tokens >= 40 && tokens <= 100, `${tokens} tokens`);
  assert.match(simulatedReply(""), /no user message/);
  assert.ok(simulatedReply("x".repeat(1000)).length < 700, "a long question is shortened");
});

test("the reply script is tried first, in order, with $1 substitution", () => {
  const rules = parseReplyScript(JSON.stringify([
    { pattern: "weather in (\\w+)", reply: "Sunny in $1." },
    { pattern: "count", reply: "No counting today." },
  ]));
  assert.deepEqual(chooseReply(user("What's the weather in Oslo?"), rules), { text: "Sunny in Oslo.", source: "script" });
  assert.equal(chooseReply(user("COUNT to 3"), rules).text, "No counting today.", "case-insensitive by default");
});

test("a bad reply script is reported with the entry at fault", () => {
  assert.throws(() => parseReplyScript("{"), /not valid JSON/);
  assert.throws(() => parseReplyScript("{}"), /expected a JSON array/);
  assert.throws(() => parseReplyScript('[{"pattern":"a"}]'), /entry 0 needs a string "pattern" and a string "reply"/);
  assert.throws(() => parseReplyScript('[{"pattern":"(","reply":"x"}]'), /entry 0: bad pattern/);
});

test("the shipped example script loads from a path, and edits are picked up", () => {
  const example = openReplyScript("lib/local-lab/backend/replies.example.json");
  assert.ok(example.rules().length >= 3);
  assert.equal(chooseReply(user("Let's party!"), example.rules()).source, "script");

  const dir = mkdtempSync(join(tmpdir(), "backend-replies-"));
  const file = join(dir, "replies.json");
  writeFileSync(file, JSON.stringify([{ pattern: "hello", reply: "first" }]));
  const script = openReplyScript(file);
  assert.equal(chooseReply(user("hello"), script.rules()).text, "first");
  writeFileSync(file, JSON.stringify([{ pattern: "hello", reply: "second" }]));
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(chooseReply(user("hello"), script.rules()).text, "second");
  assert.throws(() => openReplyScript(join(dir, "missing.json")), /ENOENT/);
});

test("events carry whole characters even when an emoji spans several tokens", () => {
  const tokenizer = tokenizerFor("gpt-4o-mini");
  const text = "🎉 café 👩‍💻 日本語 🥳";
  const tokens = tokenizer.encode(text);
  for (const perEvent of [1, 2, 3]) {
    const events = splitIntoEvents(tokens, tokenizer, perEvent);
    assert.equal(events.map((e) => e.text).join(""), text);
    assert.equal(events.reduce((n, e) => n + e.tokens, 0), tokens.length);
    for (const e of events) assert.ok(!e.text.includes("\uFFFD"), JSON.stringify(e.text));
  }
});

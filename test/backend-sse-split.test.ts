import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createParser } from "eventsource-parser";
import { startBackend, type BackendServer } from "../lib/local-lab/backend";
import { post } from "./fixtures/backend-helpers";

let backend: BackendServer;
before(async () => {
  // The shipped example script answers "party" with emoji and accented text.
  backend = await startBackend({ replyScript: "lib/local-lab/backend/replies.example.json", timing: { firstTokenMs: 0, tokenMs: 0, jitter: 0 } });
});
after(() => backend.close());

/** Feeds byte pieces through a streaming UTF-8 decoder into eventsource-parser. */
function parse(pieces: Uint8Array[]): string[] {
  const events: string[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e.data), onError: (err) => assert.fail(err) });
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (const piece of pieces) parser.feed(decoder.decode(piece, { stream: true }));
  parser.feed(decoder.decode());
  return events;
}

test("the stream parses to the same events when split at every byte offset", async () => {
  const res = await post(backend, {
    messages: [{ role: "user", content: "Let's party!" }],
    stream: true,
    stream_options: { include_usage: true },
  }, { headers: { "x-lab-timing": "none; tokens-per-event=2" } });
  assert.equal(res.headers.get("x-lab-reply-source"), "script");
  const bytes = new Uint8Array(await res.arrayBuffer());

  const whole = parse([bytes]);
  assert.equal(whole[whole.length - 1], "[DONE]");
  const text = whole
    .filter((d) => d !== "[DONE]")
    .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? "")
    .join("");
  assert.match(text, /^🎉 \[local lab simulator\] Party time! 🥳 .*日本語, 👩‍💻\.$/);

  let multiByteSplits = 0;
  for (let i = 1; i < bytes.length; i++) {
    if ((bytes[i] & 0xc0) === 0x80) multiByteSplits++; // a cut inside a UTF-8 character
    assert.deepEqual(parse([bytes.subarray(0, i), bytes.subarray(i)]), whole, `split at byte ${i}`);
  }
  assert.ok(multiByteSplits > 20, "the cuts include many inside multi-byte characters");
  const oneByteAtATime = Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(parse(oneByteAtATime), whole);
});

test("every event is one `data:` line ended by a blank line", async () => {
  const res = await post(backend, { messages: [{ role: "user", content: "party\nwith\r\nnewlines" }], stream: true }, { headers: { "x-lab-timing": "none" } });
  const raw = await res.text();
  const blocks = raw.split("\n\n");
  assert.equal(blocks.pop(), "", "ends with a blank line");
  for (const block of blocks) assert.match(block, /^data: [^\r\n]+$/);
});

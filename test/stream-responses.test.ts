/**
 * The readers and summaries on Responses API streams: named events, no `[DONE]`, the
 * usage in `response.completed`. The fixture azure-responses-stream.txt is a real Azure
 * stream's data lines (gpt-5.1, 2026-02-11; vercel/ai's
 * packages/azure/src/__fixtures__/azure-text.1.chunks.txt, which keeps the JSON only),
 * with each `event:` line written from its JSON's `type` as every capture shows, and
 * `response.in_progress`'s object equal to `response.created`'s, as recorded.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { startBackend, ZERO_LATENCY, type BackendServer } from "../lib/local-lab/backend/index";
import { streamOutcome } from "../lib/stream/outcome";
import { readChatStream, readHttpStream, type HttpResponse } from "../lib/stream/readers";
import { replyText, type StreamEvent, type StreamRecord } from "../lib/stream/record";
import { createEventReader } from "../lib/stream/sse";
import { summarizeStream, summaryTable } from "../lib/stream/summary";
import { wireDifferences } from "../lib/stream/responses";
import { tableText } from "../lib/report/text-table";

const AZURE = readFileSync(path.join(__dirname, "fixtures", "azure-responses-stream.txt"), "utf8");
const NAMES = [
  "response.created",
  "response.in_progress",
  "response.output_item.added",
  "response.content_part.added",
  "response.output_text.delta",
  "response.output_text.done",
  "response.content_part.done",
  "response.output_item.done",
  "response.completed",
];
const KINDS = ["other", "other", "other", "other", "content", "other", "other", "other", "done"];

/** Feeds `text` in the given pieces, piece i arriving at ms i. */
function readPieces(pieces: string[] | Uint8Array[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const reader = createEventReader((e) => events.push(e));
  pieces.forEach((p, i) => reader.read(p, i));
  reader.end(pieces.length);
  return events;
}

const record = (events: StreamEvent[], done: boolean, label = "responses"): StreamRecord => ({ label, headersMs: 0, events, endMs: 99, done });

test("a recorded Azure Responses stream split at every byte: nine named events, one delta as content, response.completed as done with the usage", () => {
  const bytes = new TextEncoder().encode(AZURE);
  const events = readPieces(Array.from(bytes, (b) => Uint8Array.of(b)));
  assert.deepEqual(events.map((e) => e.event), NAMES);
  assert.deepEqual(events.map((e) => e.kind), KINDS);
  const delta = events[4];
  assert.equal(delta.content, "Hello");
  // Timed by the read that completed it: the byte that ends the delta's blank line.
  const deltaEnd = new TextEncoder().encode(AZURE.slice(0, AZURE.indexOf("\n\n", AZURE.indexOf("response.output_text.delta\ndata:")) + 2)).length;
  assert.equal(delta.ms, deltaEnd - 1);
  assert.deepEqual(events[8].usage, { prompt_tokens: 11, completion_tokens: 11, total_tokens: 22 });
  assert.deepEqual(events.slice(0, 8).map((e) => e.usage), Array(8).fill(undefined), "created and in_progress carry usage: null");
});

test("every split of the stream into two reads, and CRLF line ends, give the same events", () => {
  const whole = readPieces([AZURE]).map((e) => [e.event, e.kind, e.data]);
  for (let cut = 1; cut < AZURE.length; cut++) {
    const split = readPieces([AZURE.slice(0, cut), AZURE.slice(cut)]).map((e) => [e.event, e.kind, e.data]);
    assert.deepEqual(split, whole, `split at ${cut}`);
  }
  const crlf = readPieces([AZURE.replace(/\n/g, "\r\n")]).map((e) => [e.event, e.kind, e.data]);
  assert.deepEqual(crlf, whole);
});

test("the summary: first content at the first output_text.delta, complete at response.completed, tokens from it", () => {
  const events = readPieces(AZURE.split(/(?<=\n\n)/));
  const s = summarizeStream(record(events, true));
  assert.equal(s.firstContentMs, 4);
  assert.equal(s.contentChunks, 1);
  assert.equal(s.chunks, 8, "response.completed ends the stream, as [DONE] does: not a chunk");
  assert.deepEqual(s.usage, { prompt_tokens: 11, completion_tokens: 11, total_tokens: 22 });
  assert.equal(s.endMarker, "response.completed");
  assert.equal(streamOutcome({ record: record(events, true) }), "✔ stream complete: 8 chunks (1 with content), response.completed seen");
  const chat = record([{ ms: 1, kind: "content", content: "x", data: "{}" }], true, "chat");
  assert.match(summaryTable([summarizeStream(chat), s]), /complete \(\[DONE\] or response\.completed seen\)/);
  assert.match(summaryTable(summarizeStream(chat)), /complete \(\[DONE\] seen\)/);
});

test("a Responses stream cut before response.completed is incomplete, and says what it missed", () => {
  const cutAt = AZURE.indexOf("event: response.output_text.done");
  const events = readPieces([AZURE.slice(0, cutAt)]);
  const done = events.some((e) => e.kind === "done");
  assert.equal(done, false);
  assert.equal(
    streamOutcome({ record: record(events, done) }),
    "✖ stream incomplete: 5 chunks kept (1 with content), no response.completed: the body ended without response.completed",
  );
});

test("error events: the nested form Azure and OpenAI send, the flat form of the SDK's types, and response.failed", () => {
  const nested = `event: error\ndata: {"type":"error","sequence_number":2,"error":{"type":"server_error","code":"server_error","message":"Sorry.","param":null}}\n\n`;
  const flat = `event: error\ndata: {"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}\n\n`;
  const failed = `event: response.failed\ndata: {"type":"response.failed","sequence_number":3,"response":{"status":"failed","error":{"code":"rate_limit_exceeded","message":"Too many."},"usage":null}}\n\n`;
  const events = readPieces([nested, flat, failed]);
  assert.deepEqual(events.map((e) => [e.kind, e.message]), [
    ["error", "server_error: Sorry."],
    ["error", "ERR_SOMETHING: Something went wrong"],
    ["error", "rate_limit_exceeded: Too many."],
  ]);
  assert.match(streamOutcome({ record: record(events, false) }), /no response\.completed: an error event in the stream: server_error: Sorry\.$/);
});

test("response.incomplete ends the stream as it should, its reason kept", () => {
  const incomplete = `event: response.incomplete\ndata: {"type":"response.incomplete","sequence_number":9,"response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":3,"output_tokens":5,"total_tokens":8}}}\n\n`;
  const [e] = readPieces([incomplete]);
  assert.deepEqual([e.kind, e.finishReason, e.usage], ["done", "max_output_tokens", { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 }]);
});

let backend: BackendServer;
before(async () => {
  backend = await startBackend({ timing: ZERO_LATENCY });
});
after(() => backend.close());

test("readHttpStream on the simulator's Responses stream, one byte a read: done without [DONE], the reply whole", async () => {
  const res = await fetch(`${backend.url}/openai/v1/responses`, {
    method: "POST",
    headers: { "api-key": backend.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", input: "Count to 12", stream: true }),
  });
  const body = new Uint8Array(await res.arrayBuffer());
  const oneByteAReadTimed = {
    ...(res as unknown as HttpResponse),
    ok: true,
    headers: res.headers,
    text: async () => "",
    body: (async function* () {
      for (const b of body) yield Uint8Array.of(b);
    })(),
  };
  const { record: r, error } = await readHttpStream("raw", oneByteAReadTimed, performance.now(), { headersMs: 0 });
  assert.equal(error, undefined);
  assert.equal(r.done, true);
  assert.equal(replyText(r), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12");
  assert.ok(r.events.every((e) => e.event?.startsWith("response.")), "every event named");
  assert.equal(r.events[r.events.length - 1].event, "response.completed");
});

test("readChatStream with the OpenAI client's responses.create({ stream: true }): the same kinds, done, usage", async () => {
  const client = new OpenAI({ baseURL: `${backend.url}/openai/v1/`, apiKey: backend.apiKey, maxRetries: 0 });
  const result = await readChatStream("SDK", () => client.responses.create({ model: "gpt-4o-mini", input: "Count to 12", stream: true }).withResponse());
  assert.equal(result.error, undefined);
  const s = summarizeStream(result.record);
  assert.equal(replyText(result.record), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12");
  assert.equal(s.complete, true);
  assert.equal(s.endMarker, "response.completed");
  assert.equal(s.usage?.completion_tokens, s.contentChunks);
  assert.equal(result.record.events[0].event, "response.created", "the SDK's parsed events keep their name");
});

test("wireDifferences: event: lines, end marker, events before the text, where the usage is, per-event size", () => {
  const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
  const chat = record(
    [
      { ms: 1, kind: "prompt-filter", data: "{}", bytes: 2 },
      { ms: 1, kind: "role", data: "{}", bytes: 2 },
      { ms: 2, kind: "content", content: "Hi", data: "x".repeat(300), bytes: 300 },
      { ms: 3, kind: "finish", data: "{}", bytes: 2 },
      { ms: 3, kind: "usage", usage, data: "{}", bytes: 2 },
      { ms: 3, kind: "done", data: "[DONE]", bytes: 6 },
    ],
    true,
    "chat",
  );
  const responses = record(readPieces([AZURE]), true, "responses");
  const table = tableText(wireDifferences(chat, responses));
  const row = (name: string) => table.split("\n").find((l) => l.includes(name))?.split("│").map((c) => c.replace(/║/g, "").trim());
  assert.deepEqual(row("`event:` lines"), ["`event:` lines", "0", "9"]);
  assert.deepEqual(row("end of the stream"), ["end of the stream", "[DONE]", "response.completed"]);
  assert.deepEqual(row("events before the first text")?.slice(0, 2), ["events before the first text", "2 (prompt-filter, role)"]);
  assert.match(row("events before the first text")?.[2] ?? "", /^4 \(response\.created, response\.in_progress,/);
  assert.deepEqual(row("usage in"), ["usage in", "usage", "response.completed"]);
  const deltaBytes = Buffer.byteLength(AZURE.split("\n").find((l) => l.startsWith('data: {"type":"response.output_text.delta"'))!.slice(6));
  assert.deepEqual(row("mean size of a text event"), ["mean size of a text event", "300 bytes", `${deltaBytes} bytes`]);
  const cut = record(chat.events.slice(0, 3), false, "cut");
  assert.match(tableText(wireDifferences(cut, responses)), /\[DONE\] \(not seen\)/);
});

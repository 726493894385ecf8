/**
 * The lab's one event-stream reader against eventsource-parser itself, on a spec-valid
 * stream that Azure does not send today but a proxy or a later API may: a keep-alive
 * comment, an `event:` and an `id:` field, a data field spread over two lines, CR and
 * CRLF line ends. The notebook reads it as it arrives (readHttpStream); the benchmark
 * from the reads it kept (eventsFromReads).
 */
import assert from "node:assert/strict";
import test from "node:test";
import { createParser } from "eventsource-parser";
import { readHttpStream, type HttpResponse } from "../lib/stream/readers";
import { replyText, type StreamEvent } from "../lib/stream/record";
import { eventsFromReads } from "../lib/stream/sse";

const ROLE = '{"choices":[{"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0}]}';
const STREAM =
  ": keep-alive\n\n" +
  `event: chunk\r\nid: 7\r\ndata: {"choices":[{"delta":{"content":"Hé"},"index":0}]}\r\n\r\n` +
  `data: ${ROLE}\r\r` +
  `data: {"choices":[{"delta":\rdata: {"content":"llo"},"index":0}]}\r\r` +
  "data: [DONE]\n\n";
const BYTES = new TextEncoder().encode(STREAM);

/** What a reader must agree on: each event's fields, and the read that completed it. */
type Seen = [read: number, kind: "comment" | "event", data: string, event?: string, id?: string];

/** eventsource-parser fed the same reads: what each read completed. */
function reference(reads: Uint8Array[]): Seen[] {
  const out: Seen[] = [];
  let read = 0;
  const parser = createParser({
    onEvent: (e) => out.push([read, "event", e.data, e.event, e.id]),
    onComment: (text) => out.push([read, "comment", text, undefined, undefined]),
  });
  const decoder = new TextDecoder();
  reads.forEach((bytes, i) => {
    read = i;
    parser.feed(decoder.decode(bytes, { stream: true }));
  });
  return out;
}

function seen(events: StreamEvent[], read: (e: StreamEvent) => number): Seen[] {
  return events.map((e) => [read(e), e.kind === "comment" ? "comment" : "event", e.data ?? "", e.event, e.id]);
}

function splitAt(cuts: number[]): Uint8Array[] {
  const edges = [0, ...cuts, BYTES.length];
  return edges.slice(1).map((end, i) => BYTES.slice(edges[i], end));
}

/** Every way to cut the stream in two (and in three, with `pairs`), and a byte a read. */
function* everySplit(pairs: boolean): Generator<Uint8Array[]> {
  yield [...BYTES].map((b) => Uint8Array.of(b));
  for (let a = 1; a < BYTES.length; a++) {
    yield splitAt([a]);
    if (pairs) for (let b = a + 1; b < BYTES.length; b++) yield splitAt([a, b]);
  }
}

/** A fetch-like response whose body arrives in the given reads. */
function responseOf(reads: Uint8Array[]): HttpResponse {
  return {
    ok: true,
    status: 200,
    headers: new Headers(),
    body: (async function* () {
      yield* reads;
    })(),
    text: async () => "",
  };
}

test("the reference: eventsource-parser finds a comment and four data events", () => {
  assert.deepEqual(reference([BYTES]), [
    [0, "comment", "keep-alive", undefined, undefined],
    [0, "event", '{"choices":[{"delta":{"content":"Hé"},"index":0}]}', "chunk", "7"],
    [0, "event", ROLE, undefined, undefined],
    [0, "event", '{"choices":[{"delta":\n{"content":"llo"},"index":0}]}', undefined, undefined],
    [0, "event", "[DONE]", undefined, undefined],
  ]);
});

test("the notebook's raw reader records the reference's events, the body cut at any byte", async () => {
  for (const reads of everySplit(false)) {
    const { record, error } = await readHttpStream("split", responseOf(reads), 0);
    const where = `reads of ${reads.map((r) => r.length).join(" + ")} bytes`;
    assert.equal(error, undefined, where);
    assert.deepEqual(seen(record.events, () => 0), reference(reads).map(([, ...rest]): Seen => [0, ...rest]), where);
    assert.equal(replyText(record), "Héllo", where);
    assert.equal(record.done, true, where);
  }
});

test("the bench's reader times each event by the read that completed it, the body cut at any one or two bytes", () => {
  for (const reads of everySplit(true)) {
    const events = eventsFromReads(reads, reads.map((_, i) => i));
    assert.deepEqual(seen(events, (e) => e.ms), reference(reads), `reads of ${reads.map((r) => r.length).join(" + ")} bytes`);
  }
});

test("each event is classified once, when read, and keeps its name, id and size", () => {
  const events = eventsFromReads([BYTES], [12.5]);
  assert.deepEqual(
    events.map((e) => [e.ms, e.kind, e.content, e.event, e.id, e.bytes]),
    [
      [12.5, "comment", undefined, undefined, undefined, 10],
      // "é" is two bytes in UTF-8.
      [12.5, "content", "Hé", "chunk", "7", 51],
      [12.5, "role", undefined, undefined, undefined, ROLE.length],
      [12.5, "content", "llo", undefined, undefined, 52],
      [12.5, "done", undefined, undefined, undefined, 6],
    ],
  );
});

test("a CR that ends the body ends its line: the last event is not lost", () => {
  // eventsource-parser holds a final CR back in case an LF follows; at the end none can.
  const events = eventsFromReads([new TextEncoder().encode('data: {"choices":[]}\r\rdata: [DONE]\r\r')], [1]);
  assert.deepEqual(events.map((e) => e.kind), ["other", "done"]);
});

test("an event the body cuts off before its blank line is not an event (the spec's rule)", () => {
  const events = eventsFromReads([new TextEncoder().encode('data: {"choices":[]}\n\ndata: [DONE]\n')], [1]);
  assert.deepEqual(events.map((e) => e.kind), ["other"]);
});

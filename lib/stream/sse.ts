/**
 * Server-sent events from network reads, each stamped with the arrival time of the read
 * that completed it and classified once. The event-stream format is eventsource-parser's
 * job (comments, `event:` and `id:` fields, data over several lines, CR, LF and CRLF line
 * ends); this module adds the clock and the kinds. The notebook's raw reader feeds it as
 * the body arrives, the benchmark after the run from the reads it kept.
 */
import { Buffer } from "node:buffer";
import { createParser } from "eventsource-parser";
import { classifyEvent } from "./events";
import type { StreamEvent } from "./record";

/** A response body: a node-fetch body, a WHATWG ReadableStream (fetch, Deno), a Node stream. */
export type ByteStream = AsyncIterable<Uint8Array | string>;

export interface EventReader {
  /** One network read, with its arrival time (ms since the request was sent). */
  read(piece: Uint8Array | string, ms: number): void;
  /** The body ended at `ms`. */
  end(ms: number): void;
}

export function createEventReader(onEvent: (event: StreamEvent) => void): EventReader {
  // A streaming decoder keeps a character split across two reads whole.
  const decoder = new TextDecoder("utf-8");
  let now = 0;
  let endsWithCR = false;
  const parser = createParser({
    onEvent: ({ event, id, data }) => {
      const named = event === undefined ? {} : { event };
      const identified = id === undefined ? {} : { id };
      onEvent({ ms: now, ...classifyEvent(event, data), data, bytes: Buffer.byteLength(data), ...named, ...identified });
    },
    onComment: (text) => onEvent({ ms: now, kind: "comment", data: text, bytes: Buffer.byteLength(text) }),
  });
  const feed = (text: string) => {
    if (text === "") return;
    endsWithCR = text.charCodeAt(text.length - 1) === 13;
    parser.feed(text);
  };
  return {
    read(piece, ms) {
      now = ms;
      feed(typeof piece === "string" ? piece : decoder.decode(piece, { stream: true }));
    },
    end(ms) {
      now = ms;
      feed(decoder.decode());
      // The parser holds a CR at the end of what it was fed, in case an LF follows. None
      // will: the CR ends its line (CR + LF is one line end, as the CR alone is).
      if (endsWithCR) parser.feed("\n");
    },
  };
}

/**
 * The events in recorded reads, each timed by the read that completed it (`times[i]` for
 * `reads[i]`, ms since the request was sent).
 */
export function eventsFromReads(reads: readonly (Uint8Array | string)[], times: readonly number[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const reader = createEventReader((event) => events.push(event));
  reads.forEach((piece, i) => reader.read(piece, times[i]));
  reader.end(times.length > 0 ? times[times.length - 1] : 0);
  return events;
}

/**
 * Reads a response body line by line as it arrives, stamping each line with the
 * time since the request was sent. Works on any async iterable of bytes: a
 * node-fetch body, a WHATWG ReadableStream (global fetch, Deno), a Node stream.
 */

export interface TimedLine {
  /** Milliseconds since `startedAt` when the bytes that completed this line arrived. */
  ms: number;
  line: string;
}

export type ByteStream = AsyncIterable<Uint8Array | string>;

/**
 * Lines end at CRLF, LF or CR (the event-stream rule). Bytes are decoded with a
 * streaming decoder, so a character split across two network chunks stays whole,
 * and a CR at the end of a chunk waits for the next one to see whether LF follows.
 */
export async function* timedLines(body: ByteStream, startedAt: number, now: () => number = () => performance.now()): AsyncGenerator<TimedLine> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  for await (const piece of body) {
    const ms = now() - startedAt;
    pending += typeof piece === "string" ? piece : decoder.decode(piece, { stream: true });
    let start = 0;
    for (let i = 0; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 13 && i === pending.length - 1) break; // CR at the end: LF may follow in the next piece
      yield { ms, line: pending.slice(start, i) };
      if (c === 13 && pending.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  const ms = now() - startedAt;
  // A CR held back above ends a line (possibly empty) after all.
  if (pending.endsWith("\r")) yield { ms, line: pending.slice(0, -1) };
  else if (pending !== "") yield { ms, line: pending };
}

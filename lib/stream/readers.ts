/**
 * The notebook's two ways to stream a chat completion, raw HTTP and the `openai` SDK.
 * Both record each event as it arrives, with its arrival time and kind, call back with
 * it, and never throw: a cut connection, an error status or an SDK error comes back
 * beside what did arrive.
 */
import { HttpError } from "../errors";
import { classifyChunk } from "./events";
import type { StreamEvent, StreamRecord } from "./record";
import { createEventReader, type ByteStream } from "./sse";

/** A fetch, node-fetch or SDK response's headers. */
export interface ResponseHeaders {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
}

/** What a reader gives back: what arrived, why it stopped early if it did, and the response. */
export interface StreamResult {
  record: StreamRecord;
  /** What stopped the stream (a cut connection, an error status, an SDK error), if anything. */
  error?: unknown;
  /** The response, for its headers; absent when the call failed before one came. */
  response?: { headers: ResponseHeaders };
}

export interface ReadOptions {
  /** Called with each event as it arrives, already classified. */
  onEvent?: (event: StreamEvent) => void;
}

/** A fetch or node-fetch `Response`: the parts the raw reader uses. */
export interface HttpResponse {
  ok: boolean;
  status: number;
  headers: ResponseHeaders;
  body: ByteStream | ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/**
 * The raw HTTP step: reads the body as it arrives, one network read at a time. An error
 * status comes back as an `HttpError` with the service's message; `done` is true only
 * when `data: [DONE]` arrived.
 */
export async function readHttpStream(
  label: string,
  response: HttpResponse,
  sentAt: number,
  options: ReadOptions & { headersMs?: number } = {},
): Promise<StreamResult> {
  const since = () => performance.now() - sentAt;
  const recorder = startRecord(label, options.headersMs ?? since(), options.onEvent);
  try {
    if (!response.ok) throw new HttpError(response.status, await response.text(), response.headers);
    const reader = createEventReader(recorder.add);
    for await (const piece of (response.body ?? []) as ByteStream) reader.read(piece, since());
    reader.end(since());
    return { record: recorder.finish(since()), response };
  } catch (error) {
    return { record: recorder.finish(since()), error, response };
  }
}

/** What `client.chat.completions.create({ stream: true, ... }).withResponse()` resolves to. */
export interface SdkStreamWithResponse {
  data: AsyncIterable<unknown>;
  response?: { headers: ResponseHeaders };
}

/**
 * The SDK step: makes the call and records every chunk the SDK yields, classified as
 * the raw reader classifies events. `onResponse` sees the response as soon as its
 * headers are in, before the first chunk. A call that fails before the stream starts
 * (a 429) gives an empty record, its `headersMs` NaN.
 */
export async function readChatStream(
  label: string,
  call: () => PromiseLike<SdkStreamWithResponse>,
  options: ReadOptions & { onResponse?: (response: { headers: ResponseHeaders }) => void } = {},
): Promise<StreamResult> {
  const start = performance.now();
  const since = () => performance.now() - start;
  let recorder = startRecord(label, NaN, options.onEvent);
  let response: SdkStreamWithResponse["response"];
  try {
    const result = await call();
    response = result.response;
    recorder = startRecord(label, since(), options.onEvent);
    if (response && options.onResponse) options.onResponse(response);
    for await (const chunk of result.data) recorder.add({ ms: since(), ...classifyChunk(chunk) });
    // The SDK swallows `[DONE]`: a loop that ends without a throw is a stream that ended well.
    return { record: recorder.finish(since(), true), response };
  } catch (error) {
    return { record: recorder.finish(since()), error, response };
  }
}

function startRecord(label: string, headersMs: number, onEvent?: (event: StreamEvent) => void) {
  const events: StreamEvent[] = [];
  let done = false;
  return {
    add(event: StreamEvent): void {
      events.push(event);
      if (event.kind === "done") done = true;
      if (onEvent) onEvent(event);
    },
    finish(endMs: number, ended?: boolean): StreamRecord {
      return { label, headersMs, events, endMs, done: ended ?? done };
    },
  };
}

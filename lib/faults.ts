/**
 * When a call goes wrong: one line that says what happened and what to do, for the
 * SDK step and the raw HTTP step alike, and stream readers that keep what arrived
 * instead of throwing it away with a stack dump.
 *
 * What the `openai` SDK (6.x) throws, found by driving it through the local lab:
 * - an error status: `RateLimitError` (429), `InternalServerError` (any 5xx),
 *   `BadRequestError` (400) ..., each with `status`, `headers` and Azure's `error`;
 *   it first retries 408/409/429/5xx twice, honouring `retry-after-ms`/`retry-after`;
 * - a connection cut mid-stream: a plain `TypeError: terminated` (cause: `SocketError:
 *   other side closed`), straight from fetch, after the chunks that did arrive;
 * - a `data: {"error": ...}` event: `APIError` with no status and the event's message;
 * - a chunk that is not JSON: the parser's `SyntaxError` (the SDK's logger also prints
 *   the chunk to stderr unless the client has `logLevel: "off"`).
 */
import { APIError } from "openai";
import { LabError } from "./errors";
import { mask } from "./report/mask";
import { showText } from "./report/display";
import { timedLines, type ByteStream, type TimedLine } from "./stream/lines";
import type { StreamRecord } from "./stream/record";
import { StreamRecorder, type ChunkLike } from "./stream/recorder";
import { summarizeStream } from "./stream/summary";

/** A fetch `Headers`, the SDK's headers, or a plain record. */
export type HeadersLike = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(headers: HeadersLike | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    const v = (headers as { get(name: string): string | null }).get(name);
    return v === null ? undefined : v;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * When to retry, in seconds: from `retry-after-ms`, `retry-after` (seconds or an HTTP
 * date), else from the message (Azure's "Please retry after N seconds", APIM's
 * "Try again in N seconds").
 */
export function retryAfterSeconds(headers?: HeadersLike, message?: string, now: number = Date.now()): number | undefined {
  const ms = Number(header(headers, "retry-after-ms"));
  if (header(headers, "retry-after-ms") !== undefined && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  const ra = header(headers, "retry-after");
  if (ra !== undefined && ra.trim() !== "") {
    if (/^\d+$/.test(ra.trim())) return Number(ra.trim());
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  const m = /(?:retry after|try again in)\s+(\d+)\s+seconds?/i.exec(message ?? "");
  return m ? Number(m[1]) : undefined;
}

export function retryHint(seconds: number | undefined): string {
  return seconds === undefined ? "" : ` → retry in ${seconds} s`;
}

interface ErrorLike {
  name?: string;
  message?: string;
  status?: unknown;
  headers?: HeadersLike;
  code?: unknown;
  cause?: { name?: string; message?: string; code?: string };
  constructor?: { name?: string };
}

/** True for what a dropped connection looks like to fetch (undici) and to node-fetch. */
export function isConnectionCut(error: unknown): boolean {
  const e = error as ErrorLike | undefined;
  if (!e || typeof e !== "object") return false;
  return (
    (e.name === "TypeError" && e.message === "terminated") ||
    e.cause?.code === "UND_ERR_SOCKET" ||
    e.code === "ERR_STREAM_PREMATURE_CLOSE" ||
    e.code === "ECONNRESET" ||
    /premature close/i.test(e.message ?? "")
  );
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0].trim();
}

/**
 * Anything a lab call can throw, in one line: the SDK's error type, the status and
 * the service's message (and for a 429 when to retry); a cut connection, an error
 * event or a malformed chunk named as such. Secrets are masked.
 */
export function describeError(error: unknown): string {
  return mask(describe(error));
}

function describe(error: unknown): string {
  if (error instanceof LabError) return `${error.name}: ${error.message}`;
  if (!error || typeof error !== "object") return `error: ${String(error)}`;
  const e = error as ErrorLike;
  const type = e.constructor?.name && e.constructor.name !== "Object" ? e.constructor.name : e.name ?? "Error";
  if (typeof e.status === "number") {
    // The SDK prefixes its message with the status; say it once.
    const message = firstLine(e.message).replace(new RegExp(`^${e.status}\\s+`), "") || "(no message)";
    const wait = e.status === 429 ? retryHint(retryAfterSeconds(e.headers, message)) : "";
    return `${type} (HTTP ${e.status}): ${message}${wait}`;
  }
  if (type === "APIError") return `APIError (an error event in the stream): ${firstLine(e.message)}`;
  if (isConnectionCut(error)) {
    const cause = e.cause?.message ? `: ${e.cause.message}` : "";
    return `connection closed before the stream ended (${e.name ?? type}: ${firstLine(e.message)}${cause})`;
  }
  if (e.name === "SyntaxError") return `a chunk that is not valid JSON (SyntaxError: ${firstLine(e.message)})`;
  if (type === "APIConnectionError" || type === "APIConnectionTimeoutError") {
    const cause = e.cause?.code ?? e.cause?.message;
    return `${type}: ${firstLine(e.message)}${cause ? ` (${cause})` : ""}`;
  }
  return `${type}: ${firstLine(e.message)}`;
}

// A cell that fails prints its error through util.inspect (tslab, Deno, Node's console):
// the SDK's errors then print as the lab's own do, one line without a stack dump.
Object.defineProperty(APIError.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: APIError): string {
    return describeError(this);
  },
  configurable: true,
});

/** The SDK step's failure in one line (type, status, message; for a 429 when to retry). */
export function showSdkError(error: unknown): void {
  showText(`✖ ${describeError(error)}`);
}

/** What went wrong inside a stream, read from its record. */
export interface StreamProblems {
  /** The first `data: {"error": ...}` event's code and message. */
  errorEvent?: string;
  /** Events whose data was neither JSON nor `[DONE]`. */
  malformedEvents: number;
}

export function streamProblems(record: StreamRecord): StreamProblems {
  let errorEvent: string | undefined;
  let malformedEvents = 0;
  for (const event of record.events) {
    if (event.data.trim() === "[DONE]") continue;
    let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      malformedEvents++;
      continue;
    }
    if (errorEvent === undefined && parsed && typeof parsed === "object" && parsed.error) {
      const code = parsed.error.code ? `${String(parsed.error.code)}: ` : "";
      errorEvent = `${code}${String(parsed.error.message ?? JSON.stringify(parsed.error))}`;
    }
  }
  return { errorEvent, malformedEvents };
}

/** What a stream reader gives back: what arrived, and why it stopped early if it did. */
export interface StreamResult {
  record: StreamRecord;
  /** What the read threw (a cut connection, an SDK error), if anything. */
  error?: unknown;
}

/**
 * One line on how a stream ended: complete, or incomplete with how much was kept and
 * why (a cut connection, an error event, an error before any chunk).
 */
export function streamOutcome(result: StreamResult): string {
  const { record, error } = result;
  const { chunks, contentChunks: content } = summarizeStream(record);
  const problems = streamProblems(record);
  const bad = problems.malformedEvents > 0 ? `, ${problems.malformedEvents} not valid JSON (kept as text)` : "";
  if (record.done && error === undefined) {
    return mask(`${bad ? "⚠" : "✔"} stream complete: ${chunks} chunks (${content} with content)${bad}, [DONE] seen`);
  }
  const why =
    error !== undefined
      ? describeError(error)
      : problems.errorEvent !== undefined
        ? `an error event in the stream: ${problems.errorEvent}`
        : "the body ended without [DONE]";
  if (chunks === 0 && !record.done) return mask(`✖ no stream: ${why}`);
  return mask(`✖ stream incomplete: ${chunks} chunks kept (${content} with content)${bad}, no [DONE]: ${why}`);
}

export function showStreamOutcome(result: StreamResult): void {
  showText(streamOutcome(result));
}

/** What `client.chat.completions.create({ stream: true, ... }).withResponse()` resolves to. */
export interface SdkStreamWithResponse {
  data: AsyncIterable<ChunkLike>;
  response?: { headers: { get(name: string): string | null } };
}

/**
 * The SDK step without a throw: makes the call, records every chunk that arrives, and
 * returns what came with the error that stopped it, if any. A call that fails before
 * the stream starts (a 429) gives an empty record, its `headersMs` NaN.
 */
export async function readChatStream(
  label: string,
  call: () => PromiseLike<SdkStreamWithResponse>,
  onChunk?: (chunk: ChunkLike, ms: number) => void,
): Promise<StreamResult> {
  const start = performance.now();
  let recorder: StreamRecorder | undefined;
  try {
    const { data } = await call();
    recorder = new StreamRecorder(label, performance.now() - start);
    for await (const chunk of data) {
      const ms = performance.now() - start;
      recorder.chunk(chunk, ms);
      if (onChunk) onChunk(chunk, ms);
    }
    return { record: recorder.finish(performance.now() - start, true) };
  } catch (error) {
    const record = (recorder ?? new StreamRecorder(label, NaN)).finish(performance.now() - start, false);
    return { record, error };
  }
}

/**
 * The raw HTTP step without a throw: reads an event stream line by line as it arrives
 * and returns the record, with the transport error if the connection was cut. `done`
 * is true only when `data: [DONE]` arrived.
 */
export async function readHttpStream(
  label: string,
  body: ByteStream,
  sentAt: number,
  options: { headersMs?: number; onLine?: (line: TimedLine) => void } = {},
): Promise<StreamResult> {
  const recorder = new StreamRecorder(label, options.headersMs ?? performance.now() - sentAt);
  try {
    for await (const line of timedLines(body, sentAt)) {
      recorder.line(line.line, line.ms);
      if (options.onLine) options.onLine(line);
    }
    return { record: recorder.finish(performance.now() - sentAt) };
  } catch (error) {
    return { record: recorder.finish(performance.now() - sentAt), error };
  }
}

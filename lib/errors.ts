/**
 * Errors in one line that says what happened and what to do: the lab's own, the
 * `openai` SDK's, an error status the raw HTTP step got, a cut connection.
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
import { APIConnectionError, APIError, APIUserAbortError } from "openai";
import { mask } from "./report/mask";

/**
 * The base of the lab's own errors. Their messages say what to do, so a kernel or
 * a terminal shows them as one line (`Name: message`) and not as a stack dump:
 * Node's console and tslab print errors through `util.inspect`, which asks this.
 */
export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** A fetch `Headers`, the SDK's headers, or a plain record. */
export type HeadersLike = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** A response with an error status where the raw HTTP step expected a stream. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers?: HeadersLike;

  constructor(status: number, body: string, headers?: HeadersLike) {
    super(errorMessage(body));
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }
}

/** The message inside an APIM (`{ statusCode, message }`) or Azure (`{ error: { code, message } }`) error body. */
export function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: { code?: string; message?: string } };
    if (parsed.error?.message) return `${parsed.error.code ? parsed.error.code + ": " : ""}${parsed.error.message}`;
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: show the start of the text
  }
  return body.replace(/\s+/g, " ").trim().slice(0, 300) || "(empty body)";
}

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
  code?: unknown;
  cause?: { name?: string; message?: string; code?: string };
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
  if (error instanceof HttpError) return `HTTP ${error.status}: ${error.message}${wait(error.status, error.headers, error.message)}`;
  if (!error || typeof error !== "object") return `error: ${String(error)}`;
  const e = error as ErrorLike;
  // The SDK's classes set no `name`: their class is the name a reader knows them by.
  const type = error instanceof APIError ? error.constructor.name : e.name ?? "Error";
  if (error instanceof APIConnectionError) {
    const cause = e.cause?.code ?? e.cause?.message;
    return `${type}: ${firstLine(e.message)}${cause ? ` (${cause})` : ""}`;
  }
  if (error instanceof APIError && typeof error.status === "number") {
    // The SDK prefixes its message with the status; say it once.
    const message = firstLine(error.message).replace(new RegExp(`^${error.status}\\s+`), "") || "(no message)";
    return `${type} (HTTP ${error.status}): ${message}${wait(error.status, error.headers, message)}`;
  }
  if (error instanceof APIError && !(error instanceof APIUserAbortError)) return `APIError (an error event in the stream): ${firstLine(e.message)}`;
  if (isConnectionCut(error)) {
    const cause = e.cause?.message ? `: ${e.cause.message}` : "";
    return `connection closed before the stream ended (${e.name ?? type}: ${firstLine(e.message)}${cause})`;
  }
  if (e.name === "SyntaxError") return `a chunk that is not valid JSON (SyntaxError: ${firstLine(e.message)})`;
  return `${type}: ${firstLine(e.message)}`;
}

/**
 * A model call that did not complete where the lab needs it to: the cell (and a headless
 * run) stops there, with how the stream ended and what to do, instead of going on
 * without it and failing later somewhere else.
 */
export class ModelCallError extends LabError {}

/** What to do about a failed model call, by what stopped it. */
export function whatToDo(error: unknown): string {
  const status = error instanceof HttpError || error instanceof APIError ? error.status : undefined;
  if (status === 401 || status === 403) return "check the subscription key (step 1's outputs) and run the cell again";
  // Azure's DeploymentNotFound, or APIM's "Resource not found" for a path no API serves.
  if (status === 404) return "check the model deployment's name (openaiDeploymentName) and the gateway URL, then run the cell again";
  if (status === 400) return "check the request and openaiApiVersion, then run the cell again";
  if (status === 429) return "wait as long as it says, then run the cell again";
  return "run the cell again";
}

function wait(status: number, headers: HeadersLike | undefined, message: string): string {
  return status === 429 ? retryHint(retryAfterSeconds(headers, message)) : "";
}

// A cell that fails prints its error through util.inspect (tslab, Deno, Node's console):
// the SDK's errors then print as the lab's own do, one line without a stack dump.
Object.defineProperty(APIError.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: APIError): string {
    return describeError(this);
  },
  configurable: true,
});

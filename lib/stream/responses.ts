/**
 * The Responses API's named events, sorted into the kinds the readers and summaries
 * already know, so a Responses stream is timed and summarized as a chat stream is:
 * the first content is the first `response.output_text.delta`, and the stream is done
 * at `response.completed` (or `response.incomplete`): there is no `[DONE]`. The usage
 * comes in that last event, as `input_tokens`/`output_tokens`.
 *
 * An event is recognised by its JSON's `type` (`response.*`, or `error` with a
 * `sequence_number`), not by its `event:` line: the openai SDK yields the parsed JSON
 * only, and its own parser dispatches on `type` too.
 */
import type { EventFacts } from "./events";
import type { StreamEvent, StreamRecord, TokenUsage } from "./record";
import type { Table } from "../report/html";

interface ResponsesEventShape {
  type: string;
  sequence_number?: number;
  delta?: unknown;
  response?: { status?: string; usage?: ResponsesUsage | null; error?: { code?: unknown; message?: unknown } | null; incomplete_details?: { reason?: string } | null };
  error?: { code?: unknown; message?: unknown } | null;
  code?: unknown;
  message?: unknown;
}

interface ResponsesUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** True for an event of the Responses API (parsed JSON). */
export function isResponsesEvent(chunk: unknown): chunk is ResponsesEventShape {
  if (!chunk || typeof chunk !== "object") return false;
  const type = (chunk as { type?: unknown }).type;
  if (typeof type !== "string") return false;
  return type.startsWith("response.") || (type === "error" && typeof (chunk as { sequence_number?: unknown }).sequence_number === "number");
}

/** The Responses API's usage in the chat completions' three counts, which every figure uses. */
function tokens(usage: ResponsesUsage): TokenUsage {
  return { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens };
}

/** `code: message`, from the nested error Azure and OpenAI send, or the flat one the SDK types describe. */
function errorText(error: { code?: unknown; message?: unknown } | null | undefined, fallback: string): string {
  if (!error || error.message === undefined) return fallback;
  return `${error.code ? `${String(error.code)}: ` : ""}${String(error.message)}`;
}

/** A Responses event's kind and what it carries; the event's name is its `type`. */
export function classifyResponsesEvent(e: ResponsesEventShape): EventFacts {
  const named = { event: e.type };
  const r = e.response;
  const usage = r?.usage && typeof r.usage === "object" ? { usage: tokens(r.usage) } : {};
  switch (e.type) {
    case "response.output_text.delta":
      return typeof e.delta === "string" && e.delta !== "" ? { kind: "content", content: e.delta, ...named } : { kind: "other", ...named };
    case "response.completed":
      return { kind: "done", ...usage, ...named };
    case "response.incomplete":
      // Ended as it should, but short: `max_output_tokens` or `content_filter`.
      return { kind: "done", finishReason: r?.incomplete_details?.reason ?? "incomplete", ...usage, ...named };
    case "response.failed":
      return { kind: "error", message: errorText(r?.error, "the response failed"), ...named };
    case "error":
      return { kind: "error", message: errorText(e.error ?? e, "an error event"), ...named };
    default:
      return { kind: "other", ...named };
  }
}

/** A record of the Responses API: one of its events carries a `response.` name. */
export function isResponsesRecord(record: StreamRecord): boolean {
  return record.events.some((e) => e.event !== undefined && e.event.startsWith("response."));
}

/** What marks the end of a complete stream: `[DONE]`, or the Responses API's `response.completed`. */
export function endMarker(record: StreamRecord): string {
  return isResponsesRecord(record) ? "response.completed" : "[DONE]";
}

/** An event as a person names it: its `event:` name, else its kind. */
const nameOf = (e: StreamEvent) => e.event ?? e.kind;

/** `n (a, b, c)`: how many, and which. */
function listed(events: StreamEvent[]): string {
  return events.length === 0 ? "0" : `${events.length} (${events.map(nameOf).join(", ")})`;
}

function meanBytes(events: StreamEvent[]): string {
  const sized = events.filter((e) => e.bytes !== undefined);
  if (sized.length === 0) return "-";
  return `${Math.round(sized.reduce((n, e) => n + (e.bytes ?? 0), 0) / sized.length)} bytes`;
}

/**
 * What differs on the wire between a chat-completions stream and a Responses stream,
 * both read raw: one column each, figures from the records. Per event, not per stream,
 * so two calls with different questions still compare.
 */
export function wireDifferences(chat: StreamRecord, responses: StreamRecord): Table {
  const column = (r: StreamRecord) => {
    const firstText = r.events.findIndex((e) => e.kind === "content");
    const before = firstText < 0 ? r.events : r.events.slice(0, firstText);
    const data = r.events.filter((e) => e.kind !== "comment");
    const usage = r.events.filter((e) => e.usage !== undefined);
    const text = r.events.filter((e) => e.kind === "content");
    return [
      String(data.filter((e) => e.event !== undefined).length),
      `${endMarker(r)}${r.done ? "" : " (not seen)"}`,
      listed(before),
      isResponsesRecord(r) ? "delta (response.output_text.delta)" : "choices[0].delta.content",
      usage.length > 0 ? nameOf(usage[usage.length - 1]) : "none",
      meanBytes(text),
    ];
  };
  const a = column(chat);
  const b = column(responses);
  const rows = ["`event:` lines", "end of the stream", "events before the first text", "where the text is", "usage in", "mean size of a text event"];
  return { header: ["on the wire", chat.label, responses.label], rows: rows.map((row, i) => [row, a[i], b[i]]) };
}

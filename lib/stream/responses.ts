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
import type { StreamRecord, TokenUsage } from "./record";

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

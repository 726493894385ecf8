/**
 * What a server-sent event is, decided in one place: `[DONE]`, JSON or not, and which
 * part of a chat completion stream it carries. Pure functions of the event's name and
 * data, so the raw reader, the SDK reader and the benchmark sort events alike, and a
 * later API with named events (the Responses API's `event: response.output_text.delta`)
 * adds its kinds here without touching a reader.
 *
 * The chunk shapes are Azure's, as recorded from real calls in 2025–26: a prompt-filter
 * chunk with empty `choices`, a role chunk, content chunks, a finish chunk with an empty
 * delta, a usage chunk with empty `choices`; with the asynchronous content filter,
 * annotation chunks (`choices[0]` with `content_filter_offsets`, `created: 0`, empty
 * `id`), mid-stream and after the finish, as Microsoft's content-streaming page shows
 * (learn.microsoft.com/azure/ai-foundry/openai/concepts/content-streaming).
 */
import type { EventKind, StreamEvent, TokenUsage } from "./record";
import { classifyResponsesEvent, isResponsesEvent } from "./responses";

/** What the classifier finds in an event: its kind and what the kind carries. */
export type EventFacts = Pick<StreamEvent, "kind" | "content" | "message" | "finishReason" | "usage" | "filterError" | "event">;

/** A server-sent event's data, with its `event:` name if it had one. */
export function classifyEvent(name: string | undefined, data: string): EventFacts {
  // openai-node and Azure's samples end a stream with this one marker, not JSON.
  if (data.trim() === "[DONE]") return { kind: "done" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { kind: "malformed" };
  }
  return classifyChunk(parsed, name);
}

interface ChunkShape {
  error?: unknown;
  prompt_filter_results?: unknown;
  usage?: TokenUsage | null;
  choices?: {
    delta?: { content?: string | null; role?: string | null } | null;
    finish_reason?: string | null;
    content_filter_offsets?: unknown;
    content_filter_results?: { error?: unknown } | null;
    content_filter_result?: { error?: unknown } | null;
  }[] | null;
}

/**
 * A parsed chunk: what the SDK yields, or an event's JSON. The order matters where a
 * chunk could be two things: text is never lost to another kind, and an annotation that
 * ends the stream (`finish_reason: "content_filter"`) counts as the finish.
 */
export function classifyChunk(chunk: unknown, name?: string): EventFacts {
  void name; // Chat completions name no events; the Responses API's are known by their `type`.
  if (isResponsesEvent(chunk)) return classifyResponsesEvent(chunk);
  if (!chunk || typeof chunk !== "object") return { kind: "other" };
  const c = chunk as ChunkShape;
  const usage = c.usage && typeof c.usage === "object" ? { usage: tokens(c.usage) } : {};
  // openai-node throws on an event whose JSON has a truthy `error`; we keep it as a kind.
  if (c.error) return { kind: "error", message: errorMessage(c.error) };
  if (c.prompt_filter_results !== undefined) return { kind: "prompt-filter", ...usage };
  const choice = Array.isArray(c.choices) ? c.choices[0] : undefined;
  if (!choice) return { kind: c.usage ? "usage" : "other", ...usage };
  const extra = { ...usage, ...filterError(choice) };
  const delta = choice.delta ?? undefined;
  if (typeof delta?.content === "string" && delta.content !== "") return { kind: "content", content: delta.content, ...extra };
  if (delta?.role) return { kind: "role", ...extra };
  if (choice.finish_reason) return { kind: "finish", finishReason: choice.finish_reason, ...extra };
  if (choice.content_filter_offsets !== undefined) return { kind: "annotation", ...extra };
  return { kind: "other", ...extra };
}

/**
 * The filter's "did not run" signal: documented in `content_filter_results.error`; a 2026
 * recording had it in a singular `content_filter_result.error` on every chunk instead
 * (notes/responses-and-filters.md B5). Both are read.
 */
function filterError(choice: NonNullable<ChunkShape["choices"]>[number]): { filterError?: string } {
  const error = choice.content_filter_result?.error ?? choice.content_filter_results?.error;
  return error ? { filterError: errorMessage(error) } : {};
}

/** The three counts; Azure's usage also has `*_tokens_details`, which no figure here uses. */
function tokens(usage: TokenUsage): TokenUsage {
  return { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
}

/** Azure's `{ code, message }` as `code: message`. */
function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  const e = error as { code?: unknown; message?: unknown };
  const code = e.code ? `${String(e.code)}: ` : "";
  return `${code}${e.message !== undefined ? String(e.message) : JSON.stringify(error)}`;
}

/** A chunk: a data event other than `[DONE]`, what the summaries count and time. */
export function isChunk(event: { kind: EventKind }): boolean {
  return event.kind !== "done" && event.kind !== "comment";
}

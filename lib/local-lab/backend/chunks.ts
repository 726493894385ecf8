/**
 * Azure OpenAI's chat-completions bodies, built as plain objects. Keys are in the order
 * Azure sends them (alphabetical), so a raw dump of our stream reads like a real one.
 * Pure: the same inputs give the same bytes.
 */
import type { ContentFilterMode } from "./types";

export interface CompletionIdentity {
  /** `chatcmpl-...`, one per completion. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** As Azure reports it, e.g. "gpt-4o-mini-2024-07-18". */
  model: string;
  systemFingerprint: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = "stop" | "length" | "content_filter";

const SAFE = { filtered: false, severity: "safe" };
const NOT_DETECTED = { filtered: false, detected: false };

/** Every recorded chunk after the prompt-filter chunk says so (FIELD-NOTES §8). */
export const SERVICE_TIER = "default";

/**
 * How a stream's chunks are dressed; plain data, so any planner can pass it.
 * `filter` is the deployment's content-filter mode, `contentResults` what the filter
 * reports on content chunks for the model (content-filter.ts).
 */
export interface ChunkStyle {
  filter: ContentFilterMode;
  includeUsage: boolean;
  contentResults: Record<string, unknown>;
}

export function promptFilterResults() {
  return [
    {
      prompt_index: 0,
      content_filter_results: { hate: SAFE, jailbreak: NOT_DETECTED, self_harm: SAFE, sexual: SAFE, violence: SAFE },
    },
  ];
}

/** With include_usage every chunk after the prompt-filter chunk carries `usage` (null until the last); without it, none does. */
function withUsage<T extends object>(chunk: T, includeUsage: boolean): T {
  return includeUsage ? { ...chunk, usage: null } : chunk;
}

/**
 * First event of a filtered stream: the prompt filter's verdict, with empty identity.
 * Recorded: it never has `usage`, `obfuscation` or `service_tier`.
 */
export function promptFilterChunk() {
  return { choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: promptFilterResults() };
}

function chunk(who: CompletionIdentity, choice: object, style: ChunkStyle, obfuscation: string) {
  return withUsage(
    {
      choices: [choice],
      created: who.created,
      id: who.id,
      model: who.model,
      obfuscation,
      object: "chat.completion.chunk",
      service_tier: SERVICE_TIER,
      system_fingerprint: who.systemFingerprint,
    },
    style.includeUsage,
  );
}

/** `content_filter_results` rides on the deltas only with the default filter (asynchronous: separate annotations). */
function choice(style: ChunkStyle, results: object, rest: object) {
  return style.filter === "default" ? { content_filter_results: results, ...rest } : rest;
}

/** Recorded 7/7: the first delta is always `{content: "", refusal: null, role: "assistant"}`. */
export function roleChunk(who: CompletionIdentity, style: ChunkStyle, obfuscation: string) {
  return chunk(who, choice(style, {}, { delta: { content: "", refusal: null, role: "assistant" }, finish_reason: null, index: 0, logprobs: null }), style, obfuscation);
}

export function contentChunk(who: CompletionIdentity, text: string, style: ChunkStyle, obfuscation: string) {
  return chunk(who, choice(style, style.contentResults, { delta: { content: text }, finish_reason: null, index: 0, logprobs: null }), style, obfuscation);
}

/** Recorded: `delta: {}` and, with the default filter, `content_filter_results: {}`. */
export function finishChunk(who: CompletionIdentity, reason: FinishReason, style: ChunkStyle, obfuscation: string) {
  return chunk(who, choice(style, {}, { delta: {}, finish_reason: reason, index: 0, logprobs: null }), style, obfuscation);
}

export interface FilterOffsets {
  /** How much text is fully moderated; never decreases. */
  check_offset: number;
  end_offset: number;
  start_offset: number;
}

/**
 * The asynchronous filter's verdict on text already sent: no delta, empty identity,
 * `created: 0` (Microsoft's "Content streaming" page; keys alphabetical as in the
 * recorded post-finish annotation). Offsets count characters from the prompt's start.
 */
export function annotationChunk(offsets: FilterOffsets, results: Record<string, unknown>, includeUsage: boolean) {
  return withUsage(
    {
      choices: [{ content_filter_offsets: offsets, content_filter_results: results, finish_reason: null, index: 0 }],
      created: 0,
      id: "",
      model: "",
      object: "",
    },
    includeUsage,
  );
}

/** Recorded with an empty `obfuscation`; the undocumented `latency_checkpoint` and `routing` are left out. */
export function usageChunk(who: CompletionIdentity, usage: Usage) {
  return {
    choices: [],
    created: who.created,
    id: who.id,
    model: who.model,
    obfuscation: "",
    object: "chat.completion.chunk",
    service_tier: SERVICE_TIER,
    system_fingerprint: who.systemFingerprint,
    usage: usageBody(usage),
  };
}

function usageBody(usage: Usage) {
  return {
    completion_tokens: usage.completion_tokens,
    completion_tokens_details: { accepted_prediction_tokens: 0, audio_tokens: 0, reasoning_tokens: 0, rejected_prediction_tokens: 0 },
    prompt_tokens: usage.prompt_tokens,
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
    total_tokens: usage.total_tokens,
  };
}

/** The non-streamed answer: one `chat.completion` with the whole text and its usage. */
/**
 * The non-streamed answer: one `chat.completion` with the whole text and its usage.
 * The filter's streaming mode does not change it; with no filter it has no verdicts.
 */
export function completionBody(who: CompletionIdentity, text: string, reason: FinishReason, usage: Usage, filter: ContentFilterMode = "default") {
  const filtered = filter !== "none";
  const message = { annotations: [], content: text, refusal: null, role: "assistant" };
  return {
    choices: [
      filtered
        ? { content_filter_results: FOUR_CATEGORIES, finish_reason: reason, index: 0, logprobs: null, message }
        : { finish_reason: reason, index: 0, logprobs: null, message },
    ],
    created: who.created,
    id: who.id,
    model: who.model,
    object: "chat.completion",
    ...(filtered ? { prompt_filter_results: promptFilterResults() } : {}),
    system_fingerprint: who.systemFingerprint,
    usage: usageBody(usage),
  };
}

const FOUR_CATEGORIES = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };

/** One server-sent event. JSON.stringify never emits a raw newline, so one `data:` line suffices. */
export function sseEvent(data: object | "[DONE]"): string {
  return `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

/**
 * Azure OpenAI's chat-completions bodies, built as plain objects. Keys are in the order
 * Azure sends them (alphabetical), so a raw dump of our stream reads like a real one.
 * Pure: the same inputs give the same bytes.
 */

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

/** What the default content filter reports on generated text. */
export function contentFilterResults() {
  return { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
}

export function promptFilterResults() {
  return [
    {
      prompt_index: 0,
      content_filter_results: { hate: SAFE, jailbreak: NOT_DETECTED, self_harm: SAFE, sexual: SAFE, violence: SAFE },
    },
  ];
}

/** With include_usage every chunk carries `usage` (null until the last); without it, none does. */
function withUsage<T extends object>(chunk: T, includeUsage: boolean): T {
  return includeUsage ? { ...chunk, usage: null } : chunk;
}

/** First event: the prompt filter's verdict, sent before any model output, with empty identity. */
export function promptFilterChunk(includeUsage: boolean) {
  return withUsage({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: promptFilterResults() }, includeUsage);
}

function chunk(who: CompletionIdentity, choice: object, includeUsage: boolean) {
  return withUsage(
    {
      choices: [choice],
      created: who.created,
      id: who.id,
      model: who.model,
      object: "chat.completion.chunk",
      system_fingerprint: who.systemFingerprint,
    },
    includeUsage,
  );
}

export function roleChunk(who: CompletionIdentity, includeUsage: boolean) {
  return chunk(
    who,
    { content_filter_results: {}, delta: { content: "", refusal: null, role: "assistant" }, finish_reason: null, index: 0, logprobs: null },
    includeUsage,
  );
}

export function contentChunk(who: CompletionIdentity, text: string, includeUsage: boolean) {
  return chunk(
    who,
    { content_filter_results: contentFilterResults(), delta: { content: text }, finish_reason: null, index: 0, logprobs: null },
    includeUsage,
  );
}

export function finishChunk(who: CompletionIdentity, reason: FinishReason, includeUsage: boolean) {
  return chunk(who, { content_filter_results: {}, delta: {}, finish_reason: reason, index: 0, logprobs: null }, includeUsage);
}

export function usageChunk(who: CompletionIdentity, usage: Usage) {
  return {
    choices: [],
    created: who.created,
    id: who.id,
    model: who.model,
    object: "chat.completion.chunk",
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
export function completionBody(who: CompletionIdentity, text: string, reason: FinishReason, usage: Usage) {
  return {
    choices: [
      {
        content_filter_results: contentFilterResults(),
        finish_reason: reason,
        index: 0,
        logprobs: null,
        message: { annotations: [], content: text, refusal: null, role: "assistant" },
      },
    ],
    created: who.created,
    id: who.id,
    model: who.model,
    object: "chat.completion",
    prompt_filter_results: promptFilterResults(),
    system_fingerprint: who.systemFingerprint,
    usage: usageBody(usage),
  };
}

/** One server-sent event. JSON.stringify never emits a raw newline, so one `data:` line suffices. */
export function sseEvent(data: object | "[DONE]"): string {
  return `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

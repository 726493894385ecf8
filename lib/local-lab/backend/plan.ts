/**
 * A simulated completion, planned in full before the first byte: the reply, its
 * token-sized events, when each is due, and the usage. Pure, so "same request, same
 * seed, same chunks and delays" is a property of this function alone.
 */
import {
  completionBody,
  contentChunk,
  finishChunk,
  promptFilterChunk,
  roleChunk,
  sseEvent,
  usageChunk,
  type CompletionIdentity,
  type FinishReason,
  type Usage,
} from "./chunks";
import { chooseReply, type ReplyRule, type ReplySource } from "./replies";
import { tokenTimes } from "./timing";
import { splitIntoEvents, tokenizerFor } from "./tokenizer";
import type { TimingOptions } from "./types";
import type { ChatRequest } from "./validate";

export interface PlannedEvent {
  /** ms after the request arrived. */
  atMs: number;
  /** The whole SSE event, `data: ...\n\n`. */
  data: string;
  /** The delta text, for content events. */
  content?: string;
}

export interface CompletionPlan {
  text: string;
  source: ReplySource;
  finishReason: FinishReason;
  usage: Usage;
  /** Streamed: every event in order, ending with `data: [DONE]`. */
  events: PlannedEvent[];
  /** Non-streamed: the JSON body, due at `doneMs`. */
  body: object;
  /** When the last token is ready. */
  doneMs: number;
}

export function planCompletion(
  req: ChatRequest,
  model: string,
  who: CompletionIdentity,
  timing: TimingOptions,
  rules: ReplyRule[] = [],
): CompletionPlan {
  const tokenizer = tokenizerFor(model);
  const reply = chooseReply(req.messages, rules);
  let tokens = tokenizer.encode(reply.text);
  let finishReason: FinishReason = "stop";
  if (req.maxTokens !== undefined && tokens.length > req.maxTokens) {
    tokens = tokens.slice(0, req.maxTokens);
    finishReason = "length";
  }
  const pieces = splitIntoEvents(tokens, tokenizer, timing.tokensPerEvent);
  const text = pieces.map((p) => p.text).join("");
  const promptTokens = tokenizer.countChat(req.messages);
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };

  const times = tokenTimes(tokens.length, timing, model + "\n" + JSON.stringify(req.messages));
  const firstMs = times.length > 0 ? times[0] : timing.firstTokenMs;
  const doneMs = times.length > 0 ? times[times.length - 1] : firstMs;

  const iu = req.includeUsage;
  // The prompt filter's verdict and the role come when generation starts; content
  // events when their last token is ready (the default filter releases whole bursts).
  const events: PlannedEvent[] = [
    { atMs: firstMs, data: sseEvent(promptFilterChunk(iu)) },
    { atMs: firstMs, data: sseEvent(roleChunk(who, iu)) },
  ];
  let tokenIndex = 0;
  for (const piece of pieces) {
    tokenIndex += piece.tokens;
    events.push({ atMs: times[tokenIndex - 1], data: sseEvent(contentChunk(who, piece.text, iu)), content: piece.text });
  }
  events.push({ atMs: doneMs, data: sseEvent(finishChunk(who, finishReason, iu)) });
  if (iu) events.push({ atMs: doneMs, data: sseEvent(usageChunk(who, usage)) });
  events.push({ atMs: doneMs, data: sseEvent("[DONE]") });

  return { text, source: reply.source, finishReason, usage, events, body: completionBody(who, text, finishReason, usage), doneMs };
}

/**
 * A simulated completion, planned before the first byte: the reply, its token-sized
 * events, when each is due, and the usage. Each event's bytes are rendered only when it
 * is due (`data` is then a function), so an unread stream holds its token texts and
 * times, not its whole JSON. Pure, so "same request, same seed, same chunks and delays"
 * is a property of this function alone.
 */
import {
  annotationChunk,
  completionBody,
  contentChunk,
  finishChunk,
  promptFilterChunk,
  roleChunk,
  sseEvent,
  usageChunk,
  type ChunkStyle,
  type CompletionIdentity,
  type FilterOffsets,
  type FinishReason,
  type Usage,
} from "./chunks";
import { contentFilterResults, DEFAULT_CONTENT_FILTER, obfuscator, releaseTimes, tailMs } from "./content-filter";
import { maxOutputTokens } from "./deployments";
import { chooseReply, type ReplyRule, type ReplySource } from "./replies";
import { tokenTimes } from "./timing";
import { splitIntoEvents, tokenizerFor } from "./tokenizer";
import type { ContentFilterMode, TimingOptions } from "./types";
import type { ChatRequest } from "./validate";

export interface PlannedEvent {
  /** ms after the request arrived. */
  atMs: number;
  /** The whole SSE event, `data: ...\n\n`, or what renders it when it is due. */
  data: string | (() => string);
  /** The delta text, for content events. */
  content?: string;
}

export interface CompletionPlan {
  text: string;
  source: ReplySource;
  finishReason: FinishReason;
  usage: Usage;
  /** Streamed: every event in order, ending with `data: [DONE]`; empty when not streamed. */
  events: PlannedEvent[];
  /** Non-streamed: the JSON body, due at `doneMs` (absent when streamed). */
  body?: object;
  /** When the last token is ready. */
  doneMs: number;
}

export function planCompletion(
  req: ChatRequest,
  model: string,
  who: CompletionIdentity,
  timing: TimingOptions,
  rules: ReplyRule[] = [],
  filter: ContentFilterMode = DEFAULT_CONTENT_FILTER,
): CompletionPlan {
  const tokenizer = tokenizerFor(model);
  const reply = chooseReply(req.messages, rules);
  let tokens = tokenizer.encode(reply.text);
  let finishReason: FinishReason = "stop";
  // A model stops at its own maximum output, whatever max_tokens asks for.
  const limit = Math.min(req.maxTokens ?? Infinity, maxOutputTokens(model));
  if (tokens.length > limit) {
    tokens = tokens.slice(0, limit);
    finishReason = "length";
  }
  const pieces = splitIntoEvents(tokens, tokenizer, timing.tokensPerEvent);
  const text = pieces.map((p) => p.text).join("");
  const promptTokens = tokenizer.countChat(req.messages);
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };

  const key = model + "\n" + JSON.stringify(req.messages);
  const times = tokenTimes(tokens.length, timing, key);
  const firstMs = times.length > 0 ? times[0] : timing.firstTokenMs;
  const doneMs = times.length > 0 ? times[times.length - 1] : firstMs;
  if (!req.stream) return { text, source: reply.source, finishReason, usage, events: [], body: completionBody(who, text, finishReason, usage, filter), doneMs };

  const style: ChunkStyle = { filter, includeUsage: req.includeUsage, contentResults: contentFilterResults(who.model) };
  const obfuscation = obfuscator(timing.seed, key);
  const later = (render: (index: number) => object) => {
    const index = events.length;
    return () => sseEvent(render(index));
  };
  // Headers, the prompt filter's verdict and the role go out together when the first
  // token is ready (recorded: all in one network read, nothing earlier).
  const events: PlannedEvent[] = [];
  if (filter !== "none") events.push({ atMs: firstMs, data: sseEvent(promptFilterChunk()) });
  events.push({ atMs: firstMs, data: sseEvent(roleChunk(who, style, obfuscation(events.length))) });

  // The synchronous filter holds each piece until the next release; the asynchronous
  // one sends it at once and annotates what was sent at those same moments.
  const releases = filter === "none" ? [doneMs] : releaseTimes(firstMs, doneMs, timing, key);
  const promptChars = req.messages.reduce((n, m) => n + m.content.length, 0);
  let offsets: FilterOffsets = { check_offset: promptChars, end_offset: promptChars, start_offset: promptChars };
  let sentChars = 0;
  const annotate = (atMs: number) => {
    const at = { check_offset: offsets.end_offset, end_offset: promptChars + sentChars, start_offset: promptChars };
    offsets = at;
    events.push({ atMs, data: later(() => annotationChunk(at, style.contentResults, req.includeUsage)) });
  };
  let release = 0;
  let tokenIndex = 0;
  for (const piece of pieces) {
    tokenIndex += piece.tokens;
    const readyMs = times[tokenIndex - 1];
    while (releases[release] < readyMs) {
      if (filter === "asynchronous" && promptChars + sentChars > offsets.end_offset) annotate(releases[release]);
      release++;
    }
    const atMs = filter === "default" ? releases[release] : readyMs;
    const content = piece.text;
    events.push({ atMs, data: later((i) => contentChunk(who, content, style, obfuscation(i))), content });
    sentChars += piece.text.length;
  }
  events.push({ atMs: doneMs, data: sseEvent(finishChunk(who, finishReason, style, obfuscation(events.length))) });
  if (filter === "asynchronous") annotate(doneMs);
  // An instant stream (zero latency, bursts or not) stays instant.
  const endMs = doneMs + (filter === "default" && doneMs > 0 ? tailMs(timing) : 0);
  if (req.includeUsage) events.push({ atMs: endMs, data: sseEvent(usageChunk(who, usage)) });
  events.push({ atMs: endMs, data: sseEvent("[DONE]") });

  return { text, source: reply.source, finishReason, usage, events, doneMs };
}

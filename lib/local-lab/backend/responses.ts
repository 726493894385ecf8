/**
 * The Responses API (`POST /openai/v1/responses`) in Azure's shapes: the request read
 * into the chat request the planner already knows, and a planned chat completion
 * re-dressed as named events. Reusing the chat plan keeps one timing model and one set of
 * content-filter modes: each `response.output_text.delta` is due when the chat plan's
 * content event with the same text is due.
 *
 * Shapes and key order follow a real Azure stream (gpt-5.1, 2026-02-11, the vercel/ai
 * fixture `packages/azure/src/__fixtures__/azure-text.1.chunks.txt`): `type`,
 * `sequence_number`, then the event's own fields; the event sequence and field types are
 * the openai package's (`ResponseStreamEvent` in resources/responses/responses.d.ts).
 * There is no `[DONE]`: the stream ends after `response.completed`. Pure, like the planner.
 */
import { randomBytes } from "node:crypto";
import { badRequest, isAzureErrorAnswer, type AzureErrorAnswer } from "./errors";
import { applyFault, STREAM_ERROR, type Fault } from "./faults";
import type { TimedWrite } from "./delivery";
import type { CompletionPlan, PlannedEvent } from "./plan";
import { createPrng, hashString } from "./timing";
import { isObject, parseBodyObject, type ChatRequest } from "./validate";

export interface ResponseIdentity {
  /** `resp_` and 50 hex digits. */
  id: string;
  /** `msg_` and 50 hex digits: the one output message. */
  messageId: string;
  /** Unix seconds. */
  createdAt: number;
  /** As Azure reports it. */
  model: string;
}

/**
 * Ids shaped like Azure's: 16 hex digits shared by the response and its message, then
 * `00` and the creation time in hex (AZ-TEXT: `resp_02ce8deeb6197db2` `00` `698c5196`…
 * for created_at 1770803606). An observed pattern, not a documented one.
 */
export function responseIdentity(model: string, createdAt = Math.floor(Date.now() / 1000)): ResponseIdentity {
  const shared = randomBytes(8).toString("hex");
  const time = createdAt.toString(16).padStart(8, "0");
  const id = (prefix: string) => `${prefix}_${shared}00${time}${randomBytes(12).toString("hex")}`;
  return { id: id("resp"), messageId: id("msg"), createdAt, model };
}

const ROLES = new Set(["system", "developer", "user", "assistant"]);

/**
 * A Responses request as the chat request the planner takes: `instructions` becomes a
 * system message, `input` (a string, or messages whose content is a string or
 * `input_text` parts) the rest; `max_output_tokens` caps the reply.
 */
export function parseResponsesRequest(bodyText: string): ChatRequest | AzureErrorAnswer {
  const body = parseBodyObject(bodyText);
  if (isAzureErrorAnswer(body)) return body;
  const { input, instructions, stream, max_output_tokens } = body;
  const messages: ChatRequest["messages"] = [];
  if (instructions !== undefined && instructions !== null) {
    if (typeof instructions !== "string") return badRequest("'instructions' must be a string", "instructions");
    messages.push({ role: "system", content: instructions });
  }
  if (typeof input === "string") messages.push({ role: "user", content: input });
  else if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const m: unknown = input[i];
      const where = `input[${i}]`;
      if (!isObject(m) || typeof m.role !== "string" || !ROLES.has(m.role)) {
        return badRequest(`${where} must be a message with 'role' (${[...ROLES].join(", ")}) and 'content'`, where);
      }
      const content = inputText(m.content);
      if (content === undefined) return badRequest(`${where}.content must be a string or an array of input_text parts`, `${where}.content`);
      messages.push({ role: m.role, content });
    }
  } else if (input !== undefined && input !== null) {
    return badRequest("'input' must be a string or an array of messages", "input");
  }
  if (messages.length === 0) return badRequest("Missing required parameter: 'input'.", "input");
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") return badRequest("'stream' must be a boolean", "stream");
  let maxTokens: number | undefined;
  if (max_output_tokens !== undefined && max_output_tokens !== null) {
    if (typeof max_output_tokens !== "number" || !Number.isInteger(max_output_tokens) || max_output_tokens < 1) {
      return badRequest("'max_output_tokens' must be an integer >= 1", "max_output_tokens");
    }
    maxTokens = max_output_tokens;
  }
  return { messages, stream: stream === true, includeUsage: false, maxTokens };
}

function inputText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    if (!isObject(part) || typeof part.type !== "string") return undefined;
    if (part.type === "input_text" || part.type === "output_text") {
      if (typeof part.text !== "string") return undefined;
      texts.push(part.text);
    }
  }
  return texts.join("\n");
}

type Status = "in_progress" | "completed" | "incomplete" | "failed";

interface ResponseState {
  status: Status;
  completedAt: number | null;
  /** The message, once there is one. */
  output: object[];
  usage: object | null;
  contentFilters: object[] | null;
  error: object | null;
  incompleteReason?: "max_output_tokens" | "content_filter";
}

/** The `Response` object, keys in AZ-TEXT's order (`metadata` last). */
export function responseObject(who: ResponseIdentity, s: ResponseState) {
  return {
    id: who.id,
    object: "response",
    created_at: who.createdAt,
    status: s.status,
    background: false,
    completed_at: s.completedAt,
    content_filters: s.contentFilters,
    error: s.error,
    incomplete_details: s.incompleteReason ? { reason: s.incompleteReason } : null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: who.model,
    output: s.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    prompt_cache_retention: null,
    reasoning: { effort: "none", summary: null },
    safety_identifier: null,
    // "auto" while in progress, "default" once done (AZ-TEXT).
    service_tier: s.status === "in_progress" ? "auto" : "default",
    store: true,
    temperature: 1,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: "auto",
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: "disabled",
    usage: s.usage,
    user: null,
    metadata: {},
  };
}

const outputText = (text: string) => ({ type: "output_text", annotations: [], logprobs: [], text });

function message(who: ResponseIdentity, status: "in_progress" | "completed" | "incomplete", text?: string) {
  return { id: who.messageId, type: "message", status, content: text === undefined ? [] : [outputText(text)], role: "assistant" };
}

/** Azure's usage: no `cache_write_tokens`, although the openai type has it (AZ-TEXT). */
function responseUsage(u: CompletionPlan["usage"]) {
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.total_tokens,
  };
}

const SAFE = { filtered: false, severity: "safe" };
const NOT_DETECTED = { filtered: false, detected: false };

/** Azure-only `content_filters` of a finished response: the prompt's verdict and the completion's (AZ-TEXT). */
function contentFilters(promptChars: number, textChars: number) {
  return [
    {
      blocked: false,
      source_type: "prompt",
      content_filter_raw: null,
      content_filter_results: { hate: SAFE, jailbreak: NOT_DETECTED, self_harm: SAFE, sexual: SAFE, violence: SAFE },
      content_filter_offsets: { start_offset: 0, end_offset: promptChars, check_offset: 0 },
    },
    {
      blocked: false,
      source_type: "completion",
      content_filter_raw: null,
      content_filter_results: { hate: SAFE, protected_material_code: NOT_DETECTED, protected_material_text: NOT_DETECTED, self_harm: SAFE, sexual: SAFE, violence: SAFE },
      content_filter_offsets: { start_offset: 0, end_offset: textChars, check_offset: 0 },
    },
  ];
}

/** One named event: the name is the JSON's `type`, as every capture shows. */
export function namedEvent(type: string, data: object): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * `obfuscation` pads a delta's size against side channels. Its length rule is not
 * documented; recordings show delta + padding filling a 16-character bucket (AZ-TEXT:
 * "Hello" + 11), alphanumerics only. Seeded, so a plan stays reproducible.
 */
function obfuscation(delta: string, random: () => number): string {
  const length = 16 - (delta.length % 16);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)];
  return out;
}

export interface ResponsePlan {
  /** Streamed: the named events, no `[DONE]`. */
  events: PlannedEvent[];
  /** Not streamed: the finished `Response`. */
  body: object;
}

/**
 * The chat plan as a Responses stream. The four opening events come when the chat plan's
 * first event does (the prompt filter's verdict; when Azure sends `response.created` is
 * not recorded); each delta when its chat content event is due; the closing events when
 * the last token is. A reply cut by `max_output_tokens` ends in `response.incomplete`.
 */
export function planResponse(chat: CompletionPlan, req: ChatRequest, who: ResponseIdentity): ResponsePlan {
  const startMs = chat.events.length > 0 ? chat.events[0].atMs : chat.doneMs;
  const random = createPrng(hashString(who.id));
  const events: PlannedEvent[] = [];
  const push = (atMs: number, type: string, fields: object, content?: string) => {
    const data = namedEvent(type, { type, sequence_number: events.length, ...fields });
    events.push(content === undefined ? { atMs, data } : { atMs, data, content });
  };
  const at = { item_id: who.messageId, output_index: 0, content_index: 0 };
  const cut = chat.finishReason === "length" ? "max_output_tokens" : chat.finishReason === "content_filter" ? "content_filter" : undefined;
  const itemStatus = cut ? "incomplete" : "completed";
  const begun = responseObject(who, { status: "in_progress", completedAt: null, output: [], usage: null, contentFilters: null, error: null });
  const done = responseObject(who, {
    status: cut ? "incomplete" : "completed",
    completedAt: who.createdAt + Math.max(0, Math.round(chat.doneMs / 1000)),
    output: [message(who, itemStatus, chat.text)],
    usage: responseUsage(chat.usage),
    contentFilters: contentFilters(req.messages.reduce((n, m) => n + m.content.length, 0), chat.text.length),
    error: null,
    incompleteReason: cut,
  });

  push(startMs, "response.created", { response: begun });
  push(startMs, "response.in_progress", { response: begun });
  push(startMs, "response.output_item.added", { output_index: 0, item: message(who, "in_progress") });
  push(startMs, "response.content_part.added", { ...at, part: outputText("") });
  for (const e of chat.events) {
    if (e.content === undefined) continue;
    push(e.atMs, "response.output_text.delta", { ...at, delta: e.content, logprobs: [], obfuscation: obfuscation(e.content, random) }, e.content);
  }
  const end = chat.doneMs;
  push(end, "response.output_text.done", { ...at, text: chat.text, logprobs: [] });
  push(end, "response.content_part.done", { ...at, part: outputText(chat.text) });
  push(end, "response.output_item.done", { output_index: 0, item: message(who, itemStatus, chat.text) });
  push(end, cut ? "response.incomplete" : "response.completed", { response: done });
  return { events, body: done };
}

/**
 * What a failure mid-stream sends in the Responses API: an `error` event with the error
 * nested (what OpenAI and Azure send, recorded in vercel/ai's `openai-error.1.chunks.txt`;
 * the openai package throws on it), then `response.failed`.
 */
function streamFailure(who: ResponseIdentity, sequence: number): string {
  const { code, message: text } = { code: "server_error", message: STREAM_ERROR.error.message };
  const error = namedEvent("error", { type: "error", sequence_number: sequence, error: { type: "server_error", code, message: text, param: null } });
  const failed = responseObject(who, { status: "failed", completedAt: null, output: [], usage: null, contentFilters: null, error: { code, message: text } });
  return error + namedEvent("response.failed", { type: "response.failed", sequence_number: sequence + 1, response: failed });
}

/**
 * The lab's faults on a Responses stream: as for chat completions (./faults), except that
 * the error event is the Responses API's and a truncated event keeps its `event:` line.
 */
export function applyResponseFault(events: PlannedEvent[], fault: Fault, who: ResponseIdentity): TimedWrite[] {
  const writes = applyFault(events, fault, true);
  const chatError = `data: ${JSON.stringify(STREAM_ERROR)}\n\n`;
  return writes.map((w, i) => (w.data === chatError ? { ...w, data: streamFailure(who, i) } : w));
}

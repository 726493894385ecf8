/**
 * Token counts for the token-limit and token-metric policies, as APIM documents them:
 * the usage the model reports when it reports one; otherwise an estimate. A streamed
 * request always gets an estimated prompt count ("prompt tokens are always estimated"),
 * and the azure-openai policies estimate completion tokens of a streamed response too.
 * The response is watched as it passes (./context ResponseObserver), never held back.
 */
import { createParser } from "eventsource-parser";
import type { Tokenizer } from "../backend/tokenizer";

export type TokenizerFor = (model: string) => Tokenizer;

// The encodings weigh tens of megabytes: loaded only once a document with a token policy loads,
// so a gateway without one stays small.
let loading: Promise<TokenizerFor> | undefined;
export function loadTokenizer(): Promise<TokenizerFor> {
  return (loading ??= import("../backend/tokenizer").then((m) => m.tokenizerFor));
}
import type { PolicyContext, ResponseObserver } from "./context";

export interface TokenCount {
  prompt: number;
  completion: number;
  total: number;
  /** True when the numbers are the model's own `usage`; false when estimated. */
  reported: boolean;
}

/** Completion text kept for an estimate; past it, about 4 characters a token. */
const ESTIMATE_CHARS = 64 * 1024;
/** A non-streamed response body read for its `usage`, at most. */
const JSON_BYTES = 1024 * 1024;

interface ChatRequest {
  model?: unknown;
  stream?: unknown;
  messages?: unknown;
}

function request(ctx: PolicyContext): ChatRequest {
  try {
    const body = ctx.bodyJson("request");
    return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as ChatRequest) : {};
  } catch {
    return {};
  }
}

/** `stream: true` at the top level of the request (nothing nested is looked at). */
export function isStreamed(ctx: PolicyContext): boolean {
  return request(ctx).stream === true;
}

/** The prompt's tokens as the model would count them (the backend's tokenizer). */
export function estimatePrompt(ctx: PolicyContext, tokenizerFor: TokenizerFor): number {
  const { model, messages } = request(ctx);
  if (!Array.isArray(messages)) return 0;
  const chat = messages.map((m) => {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    const text = typeof content === "string" ? content : Array.isArray(content) ? content.map((p) => (typeof p?.text === "string" ? p.text : "")).join("") : "";
    return { role: typeof role === "string" ? role : "user", content: text };
  });
  return tokenizerFor(typeof model === "string" ? model : "gpt-4o").countChat(chat);
}

/** Watches the response go by and reports its token count once the caller has it all. */
export function countResponse(ctx: PolicyContext, tokenizerFor: TokenizerFor, estimateStreamedCompletion: boolean, done: (count: TokenCount) => void): ResponseObserver {
  const streamed = isStreamed(ctx);
  const prompt = streamed ? estimatePrompt(ctx, tokenizerFor) : 0;
  let usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined;
  let text = "";
  let chars = 0;
  const parts: Buffer[] = [];
  let jsonBytes = 0;
  const onEvent = (data: string) => {
    if (data === "[DONE]") return;
    try {
      const chunk = JSON.parse(data);
      if (chunk?.usage) usage = chunk.usage;
      for (const choice of chunk?.choices ?? []) {
        const piece = choice?.delta?.content;
        if (typeof piece !== "string") continue;
        chars += piece.length;
        if (text.length < ESTIMATE_CHARS) text += piece;
      }
    } catch {
      // Not JSON: nothing to count.
    }
  };
  const parser = createParser({ onEvent: (e) => onEvent(e.data) });
  const decoder = new TextDecoder(); // a character split between two chunks stays whole
  const contentType = () => String(ctx.response?.headers["content-type"] ?? "");
  return {
    chunk(bytes) {
      if (contentType().startsWith("text/event-stream")) parser.feed(decoder.decode(bytes, { stream: true }));
      else if (jsonBytes < JSON_BYTES) (jsonBytes += bytes.length), parts.push(bytes);
    },
    end() {
      if (parts.length > 0) {
        try {
          usage = JSON.parse(Buffer.concat(parts).toString("utf8"))?.usage;
        } catch {
          usage = undefined;
        }
      }
      if (usage && !(streamed && estimateStreamedCompletion)) {
        const p = streamed ? prompt : (usage.prompt_tokens ?? 0);
        const c = usage.completion_tokens ?? 0;
        done({ prompt: p, completion: c, total: p + c, reported: !streamed });
        return;
      }
      const encoded = tokenizerFor("gpt-4o").encode(text).length;
      const completion = chars > text.length ? Math.round(encoded * (chars / text.length)) : encoded;
      const p = streamed ? prompt : estimatePrompt(ctx, tokenizerFor);
      done({ prompt: p, completion, total: p + completion, reported: false });
    },
  };
}

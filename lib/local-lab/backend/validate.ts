/**
 * Request validation, pure: the URL, the api-version and the JSON body become either a
 * typed request or an Azure-shaped error. No I/O, so every bad input is a unit test.
 */
import { badRequest, isAzureErrorAnswer, resourceNotFound, type AzureErrorAnswer } from "./errors";
import type { ChatMessageText } from "./replies";
import type { V1Api } from "./v1";

export interface Route {
  /** From the URL; on the v1 API empty, the body's `model` names it. */
  deployment: string;
  /** Raw value of ?api-version=, if any; checked by checkApiVersion. */
  apiVersion: string | null;
  /** Set on the v1 API (`/openai/v1/chat/completions`, `/openai/v1/responses`). */
  v1?: V1Api;
}

export interface ChatRequest {
  messages: Array<ChatMessageText & { name?: string }>;
  stream: boolean;
  includeUsage: boolean;
  /** max_completion_tokens, else max_tokens. */
  maxTokens?: number;
}

const ROUTE = /^\/openai\/deployments\/([^/]+)\/chat\/completions\/?$/;
const V1_ROUTE = /^\/openai\/v1\/(chat\/completions|responses)\/?$/;

/** `rawUrl`: a path (../guard checked it); joined as text, since `new URL("//", base)` throws. */
export function parseRoute(rawUrl: string): Route | AzureErrorAnswer {
  const url = new URL(`http://backend.invalid${rawUrl}`);
  const v1 = V1_ROUTE.exec(url.pathname);
  if (v1) return { deployment: "", apiVersion: url.searchParams.get("api-version"), v1: v1[1] === "responses" ? "responses" : "chat" };
  const match = ROUTE.exec(url.pathname);
  if (!match) return resourceNotFound();
  let deployment: string;
  try {
    deployment = decodeURIComponent(match[1]);
  } catch {
    return resourceNotFound();
  }
  return { deployment, apiVersion: url.searchParams.get("api-version") };
}

/** Dated versions, GA or preview: 2024-02-01, 2025-04-01-preview. */
const API_VERSION = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(-preview)?$/;

export function checkApiVersion(value: string | null): AzureErrorAnswer | undefined {
  if (value === null || value === "") {
    return { status: 400, code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." };
  }
  if (!API_VERSION.test(value)) {
    return {
      status: 400,
      code: "InvalidApiVersionParameter",
      message: `The api-version '${value.slice(0, 40)}' is invalid. The supported format is YYYY-MM-DD or YYYY-MM-DD-preview, e.g. 2024-10-21.`,
    };
  }
  return undefined;
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** A request body that must be a JSON object, or the 400 that says why it is not. */
export function parseBodyObject(bodyText: string): Record<string, unknown> | AzureErrorAnswer {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (err) {
    return badRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  return isObject(body) ? body : badRequest("The request body must be a JSON object.");
}

export function parseChatRequest(bodyText: string): ChatRequest | AzureErrorAnswer {
  const body = parseBodyObject(bodyText);
  if (isAzureErrorAnswer(body)) return body;

  const { messages } = body;
  if (messages === undefined) return badRequest("'messages' is a required property", "messages");
  if (!Array.isArray(messages)) return badRequest("'messages' must be an array of message objects", "messages");
  if (messages.length === 0) return badRequest("'messages' must contain at least one message", "messages");

  const parsed: ChatRequest["messages"] = [];
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    const where = `messages[${i}]`;
    if (!isObject(m)) return badRequest(`${where} must be an object with 'role' and 'content'`, where);
    if (typeof m.role !== "string") return badRequest(`${where}.role must be a string`, `${where}.role`);
    if (!ROLES.has(m.role)) return badRequest(`${where}.role '${m.role.slice(0, 40)}' is not one of ${[...ROLES].join(", ")}`, `${where}.role`);
    const content = contentText(m.content);
    if (content === undefined) return badRequest(`${where}.content must be a string, null, or an array of content parts`, `${where}.content`);
    const name = m.name;
    if (name !== undefined && typeof name !== "string") return badRequest(`${where}.name must be a string`, `${where}.name`);
    parsed.push(typeof name === "string" ? { role: m.role, content, name } : { role: m.role, content });
  }

  const { stream, stream_options, n } = body;
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") return badRequest("'stream' must be a boolean", "stream");
  if (stream_options !== undefined && stream_options !== null) {
    if (!isObject(stream_options)) return badRequest("'stream_options' must be an object", "stream_options");
    if (stream !== true) return badRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
    const iu = stream_options.include_usage;
    if (iu !== undefined && typeof iu !== "boolean") return badRequest("'stream_options.include_usage' must be a boolean", "stream_options.include_usage");
  }
  if (n !== undefined && n !== null && n !== 1) return badRequest("The local lab simulator supports only n = 1", "n");

  let maxTokens: number | undefined;
  for (const key of ["max_tokens", "max_completion_tokens"] as const) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) return badRequest(`'${key}' must be an integer >= 1`, key);
    if (key === "max_completion_tokens" || maxTokens === undefined) maxTokens = v;
  }
  for (const [key, max] of [["temperature", 2], ["top_p", 1]] as const) {
    const v = body[key];
    if (v !== undefined && v !== null && (typeof v !== "number" || v < 0 || v > max)) return badRequest(`'${key}' must be a number between 0 and ${max}`, key);
  }

  return {
    messages: parsed,
    stream: stream === true,
    includeUsage: stream === true && isObject(stream_options) && stream_options.include_usage === true,
    maxTokens,
  };
}

/** Text of a message's content; image and audio parts carry no text and are skipped. */
function contentText(content: unknown): string | undefined {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    if (!isObject(part) || typeof part.type !== "string") return undefined;
    if (part.type === "text") {
      if (typeof part.text !== "string") return undefined;
      texts.push(part.text);
    }
  }
  return texts.join("\n");
}

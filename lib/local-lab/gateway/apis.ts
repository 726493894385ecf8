/**
 * The APIs the gateway serves and how an incoming path finds its API and operation,
 * as APIM matches them: the API by its path prefix (longest first), then an operation
 * by method and URL template. Pure, so routing is testable without a server.
 */
import type { PolicyDocument } from "../policy/types";

export interface Operation {
  /** Operation id as in Azure OpenAI's inference spec, which the lab imports. */
  name: string;
  method: string;
  uriTemplate: string;
}

export interface ApiDefinition {
  /** Full ARM id: `{apimServiceId}/apis/{name}`; debug tokens are issued for it. */
  id: string;
  name: string;
  /** Path on the gateway without slashes at either end, e.g. `openai` or `buffered/openai`. */
  path: string;
  /** Where requests go: the backend's base URL plus the API's own path, e.g. `http://127.0.0.1:1234/openai`. */
  serviceUrl: string;
  /**
   * Without a `policy`, which of the lab's two documents runs: policies/openai.xml (false:
   * each chunk relayed at once) or policies/openai-buffered.xml (true: 8 KB pieces).
   */
  bufferResponse: boolean;
  /** The API's policy document (../policy); default by `bufferResponse`. */
  policy?: PolicyDocument;
  operations: Operation[];
}

/** The operations of Azure OpenAI's inference API that the lab's backend can answer. */
export const OPENAI_OPERATIONS: readonly Operation[] = [
  { name: "ChatCompletions_Create", method: "POST", uriTemplate: "/deployments/{deployment-id}/chat/completions?api-version={api-version}" },
  { name: "Completions_Create", method: "POST", uriTemplate: "/deployments/{deployment-id}/completions?api-version={api-version}" },
  { name: "embeddings_create", method: "POST", uriTemplate: "/deployments/{deployment-id}/embeddings?api-version={api-version}" },
  // Azure's v1 API: no api-version, the model in the body; operation ids as in OpenAI's spec, which it follows.
  { name: "createChatCompletion", method: "POST", uriTemplate: "/v1/chat/completions" },
  { name: "createResponse", method: "POST", uriTemplate: "/v1/responses" },
];

export interface ApiMatch {
  api: ApiDefinition;
  /** The path after the API's prefix, starting with `/` (or empty). */
  rest: string;
}

// Sorted once per list of APIs (a gateway's list does not change), not on every request.
const sortedApis = new WeakMap<readonly ApiDefinition[], readonly ApiDefinition[]>();

function longestPathFirst(apis: readonly ApiDefinition[]): readonly ApiDefinition[] {
  let sorted = sortedApis.get(apis);
  if (sorted === undefined) {
    sorted = [...apis].sort((a, b) => b.path.length - a.path.length);
    sortedApis.set(apis, sorted);
  }
  return sorted;
}

/** Longest prefix first, so `buffered/openai` is not mistaken for a path under another API. */
export function matchApi(pathname: string, apis: readonly ApiDefinition[]): ApiMatch | undefined {
  const lower = pathname.toLowerCase();
  const byLength = longestPathFirst(apis);
  for (const api of byLength) {
    const prefix = "/" + api.path.toLowerCase();
    if (lower === prefix || lower.startsWith(prefix + "/")) return { api, rest: pathname.slice(prefix.length) };
  }
  return undefined;
}

// Compiled once per template: matching runs on every request.
const patterns = new Map<string, RegExp>();

function templatePattern(uriTemplate: string): RegExp {
  const known = patterns.get(uriTemplate);
  if (known !== undefined) return known;
  const pattern = compileTemplate(uriTemplate);
  patterns.set(uriTemplate, pattern);
  return pattern;
}

function compileTemplate(uriTemplate: string): RegExp {
  const path = uriTemplate.split("?")[0];
  const source = path
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]+");
  return new RegExp(`^${source}/?$`, "i");
}

export function matchOperation(method: string, rest: string, operations: readonly Operation[]): Operation | undefined {
  return operations.find((op) => op.method === method.toUpperCase() && templatePattern(op.uriTemplate).test(rest));
}

/**
 * Which recording answers a request. The rule (README, "Recording and replaying a real
 * stream"): the same deployment, the same operation, the same `stream` flag, and the same
 * messages, compared as normalized JSON (object keys sorted, no whitespace). Nothing else
 * counts: not the api-version, headers, temperature or max_tokens. Several recordings of
 * one request play in the order they were recorded, then from the first again.
 */

export interface RequestKey {
  /** From the path (/openai/deployments/{deployment}/…), else the body's `model`. */
  deployment: string;
  /** The path after the deployment (or after /v1/): `chat/completions`. */
  operation: string;
  stream: boolean;
  /** The body's `messages` (chat), else `input` (responses), else `prompt`, as normalized JSON. */
  messages: string;
}

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/(.+?)\/?$/;
const V1_PATH = /^(?:\/openai)?\/v1\/(.+?)\/?$/;

export function requestKey(url: string, bodyText: string): RequestKey {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: it matches only a recording of the same non-JSON body's (missing) messages.
  }
  const path = new URL(`http://lab.invalid${url}`).pathname; // joined as text: `new URL("//", base)` throws
  const azure = AZURE_PATH.exec(path);
  const v1 = azure ? null : V1_PATH.exec(path);
  let deployment = typeof body.model === "string" ? body.model : "";
  if (azure) {
    try {
      deployment = decodeURIComponent(azure[1]);
    } catch {
      deployment = azure[1];
    }
  }
  const operation = azure ? azure[2] : v1 ? v1[1] : path;
  const messages = body.messages ?? body.input ?? body.prompt ?? null;
  return { deployment, operation, stream: body.stream === true, messages: normalizedJson(messages) };
}

/** One string per key, for a Map. */
export function keyText(key: RequestKey): string {
  return JSON.stringify([key.deployment, key.operation, key.stream, key.messages]);
}

/** JSON with every object's keys sorted and no whitespace: equal values, equal text. */
export function normalizedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value).sort()) out[name] = sortKeys((value as Record<string, unknown>)[name]);
  return out;
}

/**
 * What never reaches a recording: credentials in headers and in the query string, by
 * name, and the value of any secret the recorder knows wherever else it turns up.
 */
import { isSecretName as isMaskedName } from "../../report/mask";

/**
 * Beyond the names the lab masks on screen (../../report/mask: Azure's, APIM's, HTTP's),
 * a recording, which is kept and shared, drops any name one of whose words is one of these. Whole words, so that
 * `x-ratelimit-remaining-tokens` (a count Azure sends) stays while `access_token` goes.
 */
const SECRET_WORDS = new Set(["key", "apikey", "token", "secret", "signature", "sig", "password", "passwd", "pwd", "auth", "authorization", "cookie", "credential", "credentials", "sas"]);

/** Splits `Ocp-Apim-Subscription-Key`, `access_token`, `sasToken` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretName(name: string): boolean {
  return isMaskedName(name) || words(name).some((w) => SECRET_WORDS.has(w));
}

/** The headers without the secret ones, and the names of those removed. */
export function scrubHeaders(headers: Record<string, string>): { headers: Record<string, string>; removed: string[]; values: string[] } {
  const kept: Record<string, string> = {};
  const removed: string[] = [];
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (isSecretName(name)) {
      removed.push(name.toLowerCase());
      values.push(value);
    } else kept[name.toLowerCase()] = value;
  }
  return { headers: kept, removed, values };
}

/** A URL (absolute, or a path with its query) without secret query parameters. */
export function scrubUrl(url: string): { url: string; removed: string[]; values: string[] } {
  const at = url.indexOf("?");
  if (at < 0) return { url, removed: [], values: [] };
  const params = new URLSearchParams(url.slice(at + 1));
  const removed: string[] = [];
  const values: string[] = [];
  for (const [name, value] of [...params]) {
    if (!isSecretName(name)) continue;
    params.delete(name);
    removed.push(name);
    values.push(value);
  }
  if (removed.length === 0) return { url, removed, values };
  const query = params.toString();
  return { url: url.slice(0, at) + (query ? `?${query}` : ""), removed, values };
}

/** Secrets shorter than this are not searched for: "1" would be found everywhere. */
const SHORTEST_SECRET = 8;
const REPLACEMENT = "[removed]";

/**
 * Replaces every known secret value in some bytes. Latin-1 maps each byte to one
 * character and back, so bytes that are not text come out unchanged.
 */
export function redactBytes(bytes: Uint8Array, secrets: readonly string[]): { bytes: Uint8Array; found: boolean } {
  let found = false;
  let buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const secret of secrets) {
    if (secret.length < SHORTEST_SECRET || !buffer.includes(secret)) continue;
    found = true;
    buffer = Buffer.from(buffer.toString("latin1").split(Buffer.from(secret).toString("latin1")).join(REPLACEMENT), "latin1");
  }
  return { bytes: buffer, found };
}

export function redactText(text: string, secrets: readonly string[]): { text: string; found: boolean } {
  let found = false;
  for (const secret of secrets) {
    if (secret.length < SHORTEST_SECRET || !text.includes(secret)) continue;
    found = true;
    text = text.split(secret).join(REPLACEMENT);
  }
  return { text, found };
}

/**
 * Which headers cross the gateway. Hop-by-hop headers describe one connection, not the
 * message (RFC 9110 section 7.6.1), so a proxy never forwards them either way.
 */
import type { IncomingHttpHeaders } from "node:http";

export type HeaderMap = Record<string, string | string[]>;

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Request headers the gateway consumes itself: the caller's secrets never reach the backend. */
export const GATEWAY_ONLY_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  "api-key",
  "ocp-apim-subscription-key",
  "apim-debug-authorization",
  "host",
  // The body is forwarded as read, so its length is set again from the copy.
  "content-length",
  // Never let the backend compress: a compressed event stream cannot be relayed event by event.
  "accept-encoding",
]);

/** Drops hop-by-hop headers, including any the `Connection` header names. */
export function endToEnd(headers: IncomingHttpHeaders): HeaderMap {
  const named = String(headers.connection ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface BackendHeaderOptions {
  authorization: string;
  contentLength: number;
  clientIp?: string;
}

/** The request headers sent to the backend; `x-lab-*` and every other end-to-end header pass unchanged. */
export function backendRequestHeaders(incoming: IncomingHttpHeaders, o: BackendHeaderOptions): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(endToEnd(incoming))) {
    if (!GATEWAY_ONLY_REQUEST_HEADERS.has(name)) out[name] = value;
  }
  out["authorization"] = o.authorization;
  out["content-length"] = String(o.contentLength);
  if (o.clientIp) {
    const prior = incoming["x-forwarded-for"];
    out["x-forwarded-for"] = prior ? `${prior}, ${o.clientIp}` : o.clientIp;
  }
  return out;
}

/** The client first reads the subscription key from `api-key`, then from APIM's default header. */
export function subscriptionKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers["api-key"] ?? headers["ocp-apim-subscription-key"];
  return Array.isArray(value) ? value[0] : value;
}

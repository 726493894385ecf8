/**
 * Which headers cross the gateway: the caller's secrets stay here, the backend gets the
 * gateway's own credential, and hop-by-hop headers (../http) go neither way.
 */
import type { IncomingHttpHeaders } from "node:http";
import { HOP_BY_HOP, type HeaderMap } from "../http";

/** Request headers the gateway consumes itself: the caller's secrets never reach the backend (the query's key: ./subscription-key). */
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

/** Header names the `Connection` header lists; usually none (a keep-alive request sends `keep-alive`). */
function namedInConnection(headers: IncomingHttpHeaders): string[] {
  const connection = headers.connection;
  if (connection === undefined || connection === "") return [];
  return connection
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** Copies the headers a proxy may forward; `skip` names more to leave out. Runs on every request and response. */
function copyEndToEnd(headers: IncomingHttpHeaders, skip?: ReadonlySet<string>): HeaderMap {
  const named = namedInConnection(headers);
  const out: HeaderMap = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || (skip !== undefined && skip.has(name))) continue;
    if (named.length > 0 && named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Drops hop-by-hop headers, including any the `Connection` header names. */
export function endToEnd(headers: IncomingHttpHeaders): HeaderMap {
  return copyEndToEnd(headers);
}

export interface BackendHeaderOptions {
  /** Absent: the policy sets it (authentication-managed-identity, set-header). */
  authorization?: string;
  contentLength: number;
  clientIp?: string;
}

/** The request headers sent to the backend; `x-lab-*` and every other end-to-end header pass unchanged. */
export function backendRequestHeaders(incoming: IncomingHttpHeaders, o: BackendHeaderOptions): HeaderMap {
  const out = copyEndToEnd(incoming, GATEWAY_ONLY_REQUEST_HEADERS);
  if (o.authorization !== undefined) out["authorization"] = o.authorization;
  out["content-length"] = String(o.contentLength);
  if (o.clientIp) {
    const prior = incoming["x-forwarded-for"];
    out["x-forwarded-for"] = prior ? `${prior}, ${o.clientIp}` : o.clientIp;
  }
  return out;
}

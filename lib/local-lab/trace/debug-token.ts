/**
 * Debug tokens: what `listDebugCredentials` hands out and what the gateway accepts in
 * `Apim-Debug-Authorization`. APIM's tokens are opaque; ours are a signed claim set
 * (`<base64url JSON>.<base64url HMAC-SHA256>`) naming the API and the expiry, so the
 * gateway can tell an expired token and a token for another API apart, as APIM does.
 *
 * One canonical form, and nothing else is a token (the call is then simply not traced):
 * `<payload>.<signature>`, both base64url without padding (RFC 4648 section 5: `A-Z a-z 0-9 - _`,
 * no `=`), the signature exactly 43 characters (32 bytes), each part the exact encoding of its
 * bytes. So a token with a trailing `=` or `!!`, a changed last character that decodes to the
 * same bytes, or standard base64 (`+`, `/`, `=`) is refused: it is a different string, and
 * decoders that skip what they do not know would otherwise read it as the same token.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface DebugTokenClaims {
  /** Full ARM id of the API the token is for. */
  apiId: string;
  /** Expiry, milliseconds since the Unix epoch. */
  expiresAt: number;
  purposes: string[];
}

export type DebugTokenCheck =
  | { status: "valid"; claims: DebugTokenClaims }
  | { status: "expired"; claims: DebugTokenClaims }
  | { status: "wrong-api"; claims: DebugTokenClaims }
  /** Not a token this lab signed: APIM ignores it and the call is simply not traced. */
  | { status: "invalid" };

const CANONICAL = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

function sign(payload: string, key: Uint8Array): string {
  return createHmac("sha256", key).update(payload).digest("base64url");
}

export function signDebugToken(claims: DebugTokenClaims, key: Uint8Array): string {
  const payload = Buffer.from(
    JSON.stringify({ api: claims.apiId, exp: claims.expiresAt, purposes: claims.purposes }),
  ).toString("base64url");
  return `${payload}.${sign(payload, key)}`;
}

/** Checks signature first (constant time), then expiry, then the API, case-insensitively as ARM ids compare. */
export function verifyDebugToken(
  token: string,
  key: Uint8Array,
  expected: { apiId: string; now?: number },
): DebugTokenCheck {
  const parts = CANONICAL.exec(token);
  if (!parts) return { status: "invalid" };
  const payload = parts[1];
  // The signature as text, not as decoded bytes: only the one canonical encoding matches.
  const given = Buffer.from(parts[2], "latin1");
  const wanted = Buffer.from(sign(payload, key), "latin1");
  if (!timingSafeEqual(given, wanted)) return { status: "invalid" };
  const bytes = Buffer.from(payload, "base64url");
  if (bytes.toString("base64url") !== payload) return { status: "invalid" };
  let raw: { api?: unknown; exp?: unknown; purposes?: unknown };
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { status: "invalid" };
  }
  if (typeof raw.api !== "string" || typeof raw.exp !== "number" || !Array.isArray(raw.purposes)) {
    return { status: "invalid" };
  }
  const claims: DebugTokenClaims = { apiId: raw.api, expiresAt: raw.exp, purposes: raw.purposes.map(String) };
  if ((expected.now ?? Date.now()) >= claims.expiresAt) return { status: "expired", claims };
  if (claims.apiId.toLowerCase() !== expected.apiId.toLowerCase()) return { status: "wrong-api", claims };
  return { status: "valid", claims };
}

/**
 * HTTP plumbing shared by the local lab's three servers (gateway, backend, management):
 * reading a request body within limits, answering in JSON, the hop-by-hop header list,
 * and cutting a connection mid-body. What each server answers stays with the server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Hop-by-hop headers describe one connection, not the message (RFC 9110 section 7.6.1),
 * so a proxy never forwards them, either way; neither are those the `Connection` header names.
 */
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

export type HeaderMap = Record<string, string | string[]>;

/** A draining reader reads on past its limit, dropping, up to this many times the limit. */
const DRAIN_FACTOR = 64;

export interface BodyLimits {
  /** The most bytes kept; a longer body reads as `too-large`. */
  maxBytes: number;
  /**
   * Over the limit, read on to the end and drop the rest (up to 64× the limit), so a
   * caller still sending reads the answer rather than a reset, and the connection stays
   * open. Without it, reading stops at once: the answer goes out while Node drops the
   * rest, and the connection is closed after the answer.
   */
  drain?: boolean;
  /** How long the body may pause between two reads before it reads as `stalled`. */
  idleMs?: number;
}

export type BodyRead =
  | { ok: true; body: Buffer }
  /**
   * `too-large` and `stalled` are answered by the caller of `readBody`, and the connection
   * is closed after the answer unless a drained body left it clean; `gone` has no one to answer.
   */
  | { ok: false; reason: "too-large" | "stalled" | "gone" };

const TOO_LARGE: BodyRead = { ok: false, reason: "too-large" };
const STALLED: BodyRead = { ok: false, reason: "stalled" };
const GONE: BodyRead = { ok: false, reason: "gone" };

/** The whole body, buffered, within a size limit and, if given, a deadline between reads. */
export function readBody(req: IncomingMessage, res: ServerResponse, limits: BodyLimits): Promise<BodyRead> {
  const { maxBytes, idleMs } = limits;
  const readAtMost = limits.drain ? maxBytes * DRAIN_FACTOR : maxBytes;
  const stopNow = (read: BodyRead) => {
    // What is left of the body is not read: the connection cannot carry another request.
    res.shouldKeepAlive = false;
    return read;
  };
  const declared = Number(req.headers["content-length"]);
  if (declared > readAtMost) return Promise.resolve(stopNow(TOO_LARGE));
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let length = 0;
    const settle = (read: BodyRead) => {
      if (timer !== undefined) clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      resolve(read);
    };
    const onGone = () => settle(GONE);
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length <= maxBytes) parts.push(chunk);
      else if (length > readAtMost) return settle(stopNow(TOO_LARGE));
      // All the declared bytes are in (the parser holds the request to its length): no
      // need to wait a tick more for 'end'.
      if (length === declared) return onEnd();
      timer?.refresh();
    };
    // A body that came in one read (most do) is kept as read: a request's chunks are never reused.
    const onEnd = () => settle(length > maxBytes ? TOO_LARGE : { ok: true, body: parts.length === 1 ? parts[0] : Buffer.concat(parts, length) });
    const timer =
      idleMs === undefined
        ? undefined
        : setTimeout(() => {
            // The caller stopped sending: nothing more will come, so do not wait to drain.
            res.once("finish", () => req.destroy());
            settle(stopNow(STALLED));
          }, idleMs);
    req.on("data", onData);
    req.on("end", onEnd);
    // A caller that goes away mid-body: the request errs ("aborted") on Node 20, 22 and 24.
    req.on("error", onGone);
  });
}

/**
 * A JSON answer, whole: status, headers, length and body in one write. The servers differ
 * only in the headers they add; a `content-type` among them replaces the default.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: HeaderMap = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": headers["content-type"] ?? "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/**
 * Cuts a response mid-body, as a dropped connection does: every byte written so far
 * leaves first, then FIN, never the chunked terminator (so the caller sees a cut, not
 * an end). A reset instead of FIN could make the caller lose bytes already sent.
 *
 * Node holds a response's writes back until the end of the current tick (its own cork;
 * the gateway corks for a whole turn), and Node 24.22 keeps them in the response, not
 * the socket: ending the socket in the same tick sent the headers but none of the
 * events (measured: 0 of 5 on 24.22.3, 5 of 5 on 20.20 and 24.21). So the response is
 * uncorked first, which hands its writes to the socket, and the socket ends after them.
 */
export function cutConnection(res: ServerResponse): void {
  while (res.writableCorked > 0) res.uncork();
  const socket = res.socket;
  if (socket && !socket.destroyed) socket.destroySoon();
  else res.destroy();
}

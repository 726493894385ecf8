/**
 * Every request gets an HTTP answer, and no request can stop the process: the same guard
 * around each of the lab's three servers (gateway, backend, management).
 *
 * Three layers, each answering in the server's own error shape:
 * - Node's HTTP parser rejects what is not HTTP/1.x at all (a header line without a colon,
 *   a control byte in a value, headers over 16 KB, two Content-Lengths, Content-Length with
 *   Transfer-Encoding, an unknown or lower-case method...) before any handler sees it. Node's
 *   own answer is a bare `400 Bad Request` (431 for headers too large) with no body, and the
 *   connection closed; here 'clientError' sends the same status with the server's JSON body.
 *   A CONNECT request, which Node would drop without a word (no 'connect' listener), gets a
 *   400 too. An `Upgrade` header is ignored and the request served as any other (Node does
 *   so when nothing listens for 'upgrade'), as `curl --http2` on http:// needs.
 * - A request Node accepts but whose target is not a path (RFC 9112 section 3.2: `*`,
 *   absolute-form `http://x/`, authority-form), whose percent-encoding is broken (`%zz`), or an
 *   HTTP/1.1 request without Host, gets a 400 before the server's handler runs.
 * - An error inside a handler, thrown or rejected, becomes a 500 (or a cut connection once
 *   the status is sent), logged in one line that names the server, method and path, never
 *   the query string or header values, where keys travel.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { cutConnection, sendJson, type HeaderMap } from "./http";
import type { LabServer } from "./listen";

export interface ErrorShape {
  /** The server's error body for a status and a one-line message. */
  body(status: number, message: string): unknown;
  /** Headers the server puts on every answer (ARM's request ids...). */
  headers?(): HeaderMap;
}

export type GuardedHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface GuardOptions extends ServerOptions {
  /** Where the one-line report of a handler's failure goes; default stderr. */
  log?: (line: string) => void;
}

/**
 * How long an idle kept-alive connection stays open. Node's default, 5 s, races the caller:
 * a client (undici: the server's hint less 2 s) that sends on the connection as the server
 * closes it gets "other side closed" (fetch failed), and a busy event loop, the notebook's
 * with the lab in it, delays the client's own close past the server's. Seen as the notebook's
 * 429 cell failing with APIConnectionError under load, on main too. Callers close first now.
 */
const KEEP_ALIVE_MS = 65_000;

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" };

/** A percent sign not followed by two hex digits: the target cannot be decoded. */
const BAD_PERCENT = /%(?![0-9a-fA-F]{2})/;

/**
 * The request target as a URL when it is in origin-form (a path, then an optional query),
 * else why not. `//` is a valid path: it is joined to a base as text, because `new URL("//",
 * base)` reads it as a host name and throws.
 */
export function originFormTarget(target: string | undefined): URL | string {
  if (target === undefined || !target.startsWith("/")) {
    return `the request target '${cut(target ?? "")}' is not a path: send a path such as /openai/...`;
  }
  if (BAD_PERCENT.test(target)) return "the request target has a '%' not followed by two hex digits.";
  try {
    return new URL(`http://lab.invalid${target}`);
  } catch {
    return `the request target '${cut(target)}' is not a valid path.`;
  }
}

/** An HTTP server whose every request gets an answer in `shape`, whatever `handler` does. */
export function createGuardedServer(name: LabServer, shape: ErrorShape, options: GuardOptions, handler: GuardedHandler): Server {
  const { log = (line: string) => process.stderr.write(line + "\n"), ...serverOptions } = options;
  const answer = (res: ServerResponse, status: number, message: string) =>
    sendJson(res, status, shape.body(status, message), shape.headers?.() ?? {});

  const server = createServer({ ...serverOptions, requireHostHeader: false }, (req, res) => {
    const fail = (error: unknown) => {
      log(`local lab ${name}: internal error answering ${req.method} ${pathOf(req.url)}: ${oneLine(error)}`);
      if (res.headersSent || res.destroyed) cutConnection(res);
      else answer(res, 500, "internal error in the local lab (logged on its console).");
    };
    const url = originFormTarget(req.url);
    if (typeof url === "string") return badRequest(res, answer, url);
    if (req.httpVersion === "1.1" && !req.headers.host) return badRequest(res, answer, "an HTTP/1.1 request needs a Host header.");
    try {
      const running = handler(req, res, url);
      if (running) running.catch(fail);
    } catch (error) {
      fail(error);
    }
  });

  server.keepAliveTimeout = KEEP_ALIVE_MS;

  const raw = (socket: Duplex, status: number, message: string) => {
    if (!socket.writable) return void socket.destroy();
    const text = JSON.stringify(shape.body(status, message));
    const extra = Object.entries(shape.headers?.() ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\n${extra}Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  };
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset or a response already under way: there is nobody, or no room, to answer.
    if (error.code === "ECONNRESET" || (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      return void socket.destroy();
    }
    if (error.code === "HPE_HEADER_OVERFLOW") return raw(socket, 431, "the request's headers are larger than 16 KB.");
    if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return raw(socket, 408, "the request did not arrive in time.");
    raw(socket, 400, `the request is not valid HTTP/1.1 (${error.code ?? "parse error"}).`);
  });
  server.on("connect", (_req: IncomingMessage, socket: Duplex) => raw(socket, 400, "CONNECT is not served here: send requests to a path."));
  return server;
}

function badRequest(res: ServerResponse, answer: (res: ServerResponse, status: number, message: string) => void, why: string): void {
  // The body may be unread: the connection cannot carry another request.
  res.shouldKeepAlive = false;
  answer(res, 400, why);
}

/** The path only: the query can carry a subscription key. */
function pathOf(target: string | undefined): string {
  return cut((target ?? "").split("?")[0]);
}

function oneLine(error: unknown): string {
  const e = error as Error;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(error);
  return cut(text.replace(/\s+/g, " "), 300);
}

function cut(text: string, max = 100): string {
  return text.length > max ? text.slice(0, max) + "..." : text;
}

/**
 * The gateway's transport, apart from its policy: `forward` sends a request to the backend
 * and hands back its response once the headers are in; `transfer` sends that response on
 * to the caller. Together they follow the life of one proxied call as undici's proxy
 * handler does: connect (the caller going away aborts the backend request), headers, data
 * (backpressure is what the data step returns), complete, error. The transport says what
 * happened (a RelayFailure); the policy (./stages) turns that into APIM's answer and trace.
 */
import { request as httpRequest, type Agent, type IncomingMessage, type ServerResponse } from "node:http";
import type { HeaderMap } from "../http";
import { endToEnd } from "./headers";
import { createPieceWriter } from "./pieces";

export interface BackendRequest {
  url: string;
  method: string;
  /** End-to-end headers only (./headers): hop-by-hop ones (../http) belong to the gateway's own connection. */
  headers: HeaderMap;
  body: Buffer;
  /** forward-request `timeout`: how long to wait for the backend's response headers. */
  timeoutMs: number;
  agent: Agent;
}

export interface BackendResponse {
  status: number;
  statusMessage: string;
  /** End-to-end headers: what the caller gets, unless a policy changes them before `transfer`. */
  headers: HeaderMap;
  /** The response as it arrived (headers unfiltered, for the trace); its body is not read yet. */
  message: IncomingMessage;
}

export interface TransferOptions {
  /** buffer-response: 8 KB pieces (./pieces) instead of each chunk as it arrives. */
  buffer: boolean;
}

export type RelayFailureKind =
  /** The caller went away: nobody is left to answer. */
  | "caller-gone"
  /** No response headers within the forward-request timeout. */
  | "timeout"
  /** No response at all: refused, reset, or closed before the headers. */
  | "unreachable"
  /** The backend's body ended before it was complete. */
  | "cut";

export class RelayFailure extends Error {
  constructor(
    readonly kind: RelayFailureKind,
    message: string,
    /** Node's error code (ECONNREFUSED, ...) when the socket gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "RelayFailure";
  }
}

const callerGone = () => new RelayFailure("caller-gone", "The client closed the connection before the response was sent in full.");

/** The caller's connection closed before its response was sent in full. */
const callerLeft = (res: ServerResponse) => res.destroyed && !res.writableFinished;

/** forward-request's transport: resolves with the backend's response once its headers have arrived. */
export function forward(res: ServerResponse, request: BackendRequest): Promise<BackendResponse> {
  return new Promise((resolve, reject) => {
    if (callerLeft(res)) return reject(callerGone());
    const upstream = httpRequest(request.url, { method: request.method, headers: request.headers, agent: request.agent });
    // connect: the caller going away aborts the backend request, now or during the transfer.
    res.on("close", () => {
      if (!res.writableEnded) upstream.destroy();
    });
    let settled = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      upstream.destroy();
    }, request.timeoutMs);

    // headers
    upstream.on("response", (message) => {
      if (settled) return void message.destroy();
      settled = true;
      clearTimeout(timer);
      resolve({ status: message.statusCode ?? 502, statusMessage: message.statusMessage ?? "", headers: endToEnd(message.headers), message });
    });

    // error, before any response
    const fail = (err?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (callerLeft(res)) reject(callerGone());
      else if (timedOut) reject(new RelayFailure("timeout", "Request to the backend service timed out"));
      else reject(new RelayFailure("unreachable", err?.message ?? "The backend closed the connection without a response.", err?.code));
    };
    upstream.on("error", fail);
    upstream.on("close", () => fail());
    upstream.end(request.body);
  });
}

/**
 * Sends the backend's response on: its status and headers, then its body chunk by chunk
 * (or in 8 KB pieces with buffer-response), with backpressure both ways. Resolves once
 * the caller has been handed the last byte.
 */
export function transfer(res: ServerResponse, response: BackendResponse, options: TransferOptions): Promise<void> {
  const body = response.message;
  const turn = new TurnWriter(res);
  const pieces = options.buffer ? createPieceWriter((piece) => turn.write(piece)) : undefined;

  // headers: relaying means the caller sees the status and headers before the first token;
  // they leave at the end of this turn, with whatever events arrived alongside them.
  res.writeHead(response.status, response.statusMessage, response.headers);
  if (!options.buffer) {
    turn.hold();
    res.flushHeaders();
  }

  return new Promise((resolve, reject) => {
    if (callerLeft(res)) return reject(callerGone());
    res.on("finish", () => resolve());
    res.on("close", () => {
      if (!res.writableFinished) reject(callerGone());
    });

    // data: false when the caller's socket holds more than it wants; the backend waits.
    body.on("data", (chunk: Buffer) => {
      if ((pieces ? pieces.push(chunk) : turn.write(chunk)) || body.isPaused()) return;
      body.pause();
      res.socket!.once("drain", () => body.resume());
    });

    // complete
    body.on("end", () => {
      pieces?.end();
      turn.flush();
      res.end();
    });

    // error: reported by `close`, which also comes when the caller's leaving destroyed the request.
    body.on("error", () => {});
    body.on("close", () => {
      if (body.complete || callerLeft(res)) return;
      reject(new RelayFailure("cut", "Underlying transport connection was unexpectedly closed."));
    });
  });
}

/**
 * At most one write to the caller per event-loop turn: what is written in one turn (the
 * headers, the backend's events read together) leaves in one writev at its end. System
 * calls are most of the relay's cost, and nothing waits past the end of the current turn.
 *
 * Backpressure is judged on the socket, whose state is that of the last turn's writes,
 * not from `res.write()`: while a response is corked, Node 22.23 answers "full" about its
 * own buffer and then never emits 'drain' when the socket took everything (a relay stalled).
 */
class TurnWriter {
  private corked = false;

  constructor(private readonly res: ServerResponse) {}

  /** Holds this turn's writes back, to leave together at its end. */
  hold(): void {
    if (this.corked) return;
    this.corked = true;
    this.res.cork();
    setImmediate(flushTurn, this);
  }

  /** Sends what is held now. Before `res.end()`: Node 24 writes the end of a chunked body past a cork. */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.res.uncork();
  }

  /** False when the caller's socket, as the last turn left it, holds more than it wants. */
  write(chunk: Buffer): boolean {
    this.hold();
    this.res.write(chunk);
    return !this.res.socket?.writableNeedDrain;
  }
}

function flushTurn(turn: TurnWriter): void {
  turn.flush();
}

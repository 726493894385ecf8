/**
 * The lab's policy as APIM runs it, one function per section. Each stage records its
 * own trace entries and either hands over to the next or throws a GatewayFailure,
 * which jumps to on-error, as APIM does.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Call } from "./call";
import { matchOperation } from "./apis";
import { backendRequestHeaders, endToEnd, subscriptionKeyOf } from "./headers";
import { readStreamField, STREAM_CONDITION, STREAM_VARIABLE, xMsStream } from "./policy";
import { createPieceWriter } from "./pieces";
import {
  backendErrorMessage,
  GatewayFailure,
  gatewayTimeout,
  INVALID_SUBSCRIPTION_KEY,
  internalServerError,
  MISSING_SUBSCRIPTION_KEY,
  resourceNotFound,
} from "./errors";
import * as entry from "../trace/entries";
import { cutConnection, readBody, sendJson, type BodyRead } from "../http";

/** The resource the original lab's managed identity asks a token for. */
const COGNITIVE_SERVICES = "https://cognitiveservices.azure.com";

function clientGone(section: "inbound" | "backend" | "outbound"): GatewayFailure {
  return new GatewayFailure(499, undefined, {
    source: section === "outbound" ? "transfer-response" : "request-forwarder",
    reason: "ClientConnectionFailure",
    message: "The client closed the connection before the response was sent in full.",
    section,
  });
}

function tooLarge(limit: number): GatewayFailure {
  return new GatewayFailure(413, { statusCode: 413, message: "Request entity too large" }, {
    source: "api-inspector",
    reason: "RequestEntityTooLarge",
    message: `The request body exceeds ${limit} bytes.`,
    section: "inbound",
  });
}

function bodyTimeout(ms: number): GatewayFailure {
  return new GatewayFailure(408, { statusCode: 408, message: "Request timeout: the request body did not arrive in time." }, {
    source: "api-inspector",
    reason: "ClientConnectionTimeout",
    message: `No part of the request body arrived for ${ms} ms.`,
    section: "inbound",
  });
}

/** Why the body could not be read, as APIM's inspector reports it. */
function unreadBody(reason: Exclude<BodyRead, { ok: true }>["reason"], call: Call): GatewayFailure {
  if (reason === "too-large") return tooLarge(call.config.maxRequestBodyBytes);
  if (reason === "stalled") return bodyTimeout(call.config.requestBodyTimeoutMs);
  return clientGone("inbound");
}

/** Built-in steps (operation match, subscription key), then the lab's inbound policies. */
export async function inbound(call: Call): Promise<void> {
  const { req, api, trace, config } = call;
  // Each entry is built only when the call is traced: most calls are not, and the entries
  // (header lists, parsed URLs, timestamps) would be garbage on the hot path.
  if (trace.enabled) {
    const host = req.headers.host ?? "localhost";
    trace.add("inbound", "api-inspector", entry.inspectorRequest(req.method ?? "GET", `http://${host}${req.url}`, entry.headerList(req.headers)));
  }

  const operation = matchOperation(req.method ?? "GET", call.rest, api.operations);
  if (!operation) {
    throw new GatewayFailure(404, resourceNotFound(), {
      source: "configuration",
      reason: "OperationNotFound",
      message: "Unable to match incoming request to an operation.",
      section: "inbound",
    });
  }

  const key = subscriptionKeyOf(req.headers);
  if (key === undefined || key === "") {
    throw new GatewayFailure(401, { statusCode: 401, message: MISSING_SUBSCRIPTION_KEY }, {
      source: "authorization",
      reason: "SubscriptionKeyNotFound",
      message: MISSING_SUBSCRIPTION_KEY,
      section: "inbound",
    });
  }
  if (!config.isSubscriptionKey(key)) {
    throw new GatewayFailure(401, { statusCode: 401, message: INVALID_SUBSCRIPTION_KEY }, {
      source: "authorization",
      reason: "SubscriptionKeyInvalid",
      message: INVALID_SUBSCRIPTION_KEY,
      section: "inbound",
    });
  }
  if (trace.enabled) {
    trace.add("inbound", "api-inspector", entry.inspectorConfiguration({
      apiPath: api.path,
      serviceUrl: api.serviceUrl,
      operationMethod: operation.method,
      uriTemplate: operation.uriTemplate,
    }));
  }

  // Body.As<JObject>(preserveContent: true) buffers the body: the copy is forwarded as read.
  // Over the limit or stalled, the answer closes the connection (../http).
  const read = await readBody(req, call.res, { maxBytes: config.maxRequestBodyBytes, idleMs: config.requestBodyTimeoutMs, signal: call.signal });
  if (read.ok === false) throw unreadBody(read.reason, call);
  call.body = read.body;

  const authorization = config.backendAuthorization;
  call.backendUrl = api.serviceUrl + call.rest + call.search;
  if (trace.enabled) {
    trace.add("inbound", "authentication-managed-identity", entry.managedIdentityToken(COGNITIVE_SERVICES));
    trace.add("inbound", "set-header", entry.headerAssigned("Authorization", authorization));
    trace.add("inbound", "set-backend-service", entry.backendServiceChanged(api.serviceUrl, api.serviceUrl, call.backendUrl));
  }
  call.backendHeaders = backendRequestHeaders(req.headers, {
    authorization,
    contentLength: call.body.length,
    clientIp: req.socket.remoteAddress,
  });

  const stream = readStreamField(call.body);
  if (stream.ok === false) {
    throw new GatewayFailure(500, internalServerError(call.activityId), {
      source: "choose",
      reason: "ExpressionValueEvaluationFailure",
      message: stream.message,
      section: "inbound",
    });
  }
  if (trace.enabled) trace.add("inbound", "choose", entry.expressionEvaluated(STREAM_CONDITION, stream.text !== undefined));
  if (stream.text !== undefined) {
    call.variables.set(STREAM_VARIABLE, stream.text);
    if (trace.enabled) trace.add("inbound", "set-variable", entry.variableSet(STREAM_VARIABLE, stream.text));
  }
}

/** forward-request: resolves with the backend's response once its headers have arrived. */
export function backend(call: Call): Promise<IncomingMessage> {
  const { config, trace, req } = call;
  const timeoutSeconds = config.backendTimeoutMs / 1000;
  const method = req.method ?? "POST";
  if (trace.enabled) trace.add("backend", "request-forwarder", entry.requestForwarded(timeoutSeconds, method, call.backendUrl, entry.headerList(call.backendHeaders)));

  return new Promise((resolve, reject) => {
    if (call.signal.aborted) return reject(clientGone("backend"));
    const upstream = httpRequest(call.backendUrl, { method, headers: call.backendHeaders, agent: config.agent });
    let settled = false;
    let timedOut = false;
    const fail = (failure: GatewayFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(failure);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      upstream.destroy();
    }, config.backendTimeoutMs);
    // The caller going away aborts the backend request, whichever stage is running then.
    call.signal.addEventListener("abort", () => upstream.destroy(), { once: true });

    upstream.on("response", (response) => {
      if (settled) return void response.destroy();
      settled = true;
      clearTimeout(timer);
      if (trace.enabled) trace.add("backend", "forward-request", entry.backendResponse(response.statusCode ?? 502, response.statusMessage ?? "", entry.headerList(response.headers)));
      resolve(response);
    });
    const onFailure = (err?: NodeJS.ErrnoException) => {
      if (settled) return;
      if (call.signal.aborted) return fail(clientGone("backend"));
      if (timedOut) {
        const message = "Request to the backend service timed out";
        trace.add("backend", "forward-request", entry.backendCallFailed(message));
        return fail(new GatewayFailure(504, gatewayTimeout(call.activityId), {
          source: "request-forwarder", reason: "Timeout", message, section: "backend", path: "forward-request",
        }));
      }
      const message = backendErrorMessage(err?.code, err?.message ?? "The backend closed the connection without a response.");
      trace.add("backend", "forward-request", entry.backendCallFailed(message));
      fail(new GatewayFailure(500, internalServerError(call.activityId), {
        source: "request-forwarder", reason: "BackendConnectionFailure", message, section: "backend", path: "forward-request",
      }));
    };
    upstream.on("error", onFailure);
    upstream.on("close", () => onFailure());
    upstream.end(call.body);
  });
}

/** Sets `x-ms-stream`, passes the backend's status and headers on, then transfers the body. */
export async function outbound(call: Call, response: IncomingMessage): Promise<void> {
  const { res, trace, api } = call;
  const stream = xMsStream(call.variables.get(STREAM_VARIABLE));
  if (trace.enabled) trace.add("outbound", "set-header", entry.headerAssigned("x-ms-stream", stream));
  const headers = endToEnd(response.headers);
  Object.assign(headers, call.responseHeaders);
  headers["x-ms-stream"] = stream;
  res.writeHead(response.statusCode ?? 502, response.statusMessage, headers);
  const writer = onePerTurn(res);
  // Relaying means the caller sees the status and headers before the first token: they
  // leave at the end of this turn, with whatever events arrived alongside them.
  if (!api.bufferResponse) {
    writer.hold();
    res.flushHeaders();
  }
  await transfer(call, response, writer);
  if (trace.enabled) trace.add("outbound", "transfer-response", entry.responseSent());
}

/**
 * At most one write to the caller per event-loop turn: what is written in one turn (the
 * headers, the backend's events read together) leaves in one writev at its end. System
 * calls are most of the relay's cost, and nothing waits past the end of the current turn.
 *
 * Backpressure is judged on the socket once the turn's writes have left, not from
 * `res.write()`: while a response is corked, Node 22.23 answers "full" about its own
 * buffer and then never emits 'drain' when the socket took everything (a relay stalled).
 */
function onePerTurn(res: ServerResponse): TurnWriter {
  let corked = false;
  let full: (() => void) | undefined;
  const flush = () => {
    if (!corked) return;
    corked = false;
    res.uncork();
    if (full && res.socket?.writableNeedDrain) full();
  };
  const hold = () => {
    if (corked) return;
    corked = true;
    res.cork();
    setImmediate(flush);
  };
  return {
    hold,
    flush,
    write(chunk) {
      hold();
      res.write(chunk);
    },
    onFull(callback) {
      full = callback;
    },
  };
}

interface TurnWriter {
  hold(): void;
  /** Sends what is held now. Before `res.end()`: Node 24 writes the end of a chunked body past a cork. */
  flush(): void;
  write(chunk: Buffer): void;
  /** Called after a turn's writes when the socket has more queued than it wants. */
  onFull(callback: () => void): void;
}

/** Backend body to caller: chunk by chunk, or in 8 KB pieces with buffer-response; backpressure both ways. */
function transfer(call: Call, response: IncomingMessage, writer: TurnWriter): Promise<void> {
  const { res, signal } = call;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(clientGone("outbound"));
    signal.addEventListener("abort", () => reject(clientGone("outbound")), { once: true });
    const send = (piece: Buffer) => {
      writer.write(piece);
      return true;
    };
    const pieces = call.api.bufferResponse ? createPieceWriter(send) : undefined;
    writer.onFull(() => {
      if (response.isPaused()) return;
      // A slow reader holds the backend back until the socket has sent what it holds.
      response.pause();
      res.socket!.once("drain", () => response.resume());
    });
    response.on("data", (chunk: Buffer) => {
      if (pieces) pieces.push(chunk);
      else writer.write(chunk);
    });
    response.on("end", () => {
      pieces?.end();
      writer.flush();
      res.end();
    });
    res.on("finish", () => resolve());
    response.on("error", () => {}); // reported by `close` below
    response.on("close", () => {
      if (response.complete || signal.aborted) return;
      const message = "Underlying transport connection was unexpectedly closed.";
      reject(new GatewayFailure(502, undefined, {
        source: "transfer-response", reason: "BackendConnectionFailure", message, section: "outbound",
      }));
    });
  });
}

/** Records `context.LastError`; sends APIM's body when the caller can still get one, else cuts the connection. */
export function onError(call: Call, failure: GatewayFailure): void {
  const { res, trace } = call;
  trace.add("on-error", failure.lastError.source, entry.lastError(failure.lastError));
  if (!failure.body || res.headersSent || res.destroyed) {
    // Mid-stream the status is gone already: a cut connection is how a caller learns of it,
    // after every byte the backend sent before its own cut.
    if (res.destroyed) return;
    cutConnection(res);
    return;
  }
  const headers: Record<string, string | string[]> = { ...call.responseHeaders };
  if (failure.status === 401) {
    const host = call.req.headers.host ?? "localhost";
    headers["www-authenticate"] = `AzureApiManagementKey realm="http://${host}/${call.api.path}",name="api-key",type="header"`;
  }
  sendJson(res, failure.status, failure.body, headers);
}

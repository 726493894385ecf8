/**
 * The lab's policy as APIM runs it, one function per section. Each stage records its
 * own trace entries and either hands over to the next or throws a GatewayFailure,
 * which jumps to on-error, as APIM does. Moving the bytes is ./relay's job.
 */
import type { Call } from "./call";
import { matchOperation } from "./apis";
import { backendRequestHeaders, subscriptionKeyOf } from "./headers";
import { readStreamField, STREAM_CONDITION, STREAM_VARIABLE, xMsStream } from "./policy";
import { forward, RelayFailure, transfer, type BackendResponse } from "./relay";
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
  const read = await readBody(req, call.res, { maxBytes: config.maxRequestBodyBytes, idleMs: config.requestBodyTimeoutMs });
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
export async function backend(call: Call): Promise<BackendResponse> {
  const { config, trace, req } = call;
  const method = req.method ?? "POST";
  if (trace.enabled) trace.add("backend", "request-forwarder", entry.requestForwarded(config.backendTimeoutMs / 1000, method, call.backendUrl, entry.headerList(call.backendHeaders)));
  let response: BackendResponse;
  try {
    response = await forward(call.res, {
      url: call.backendUrl, method, headers: call.backendHeaders, body: call.body, timeoutMs: config.backendTimeoutMs, agent: config.agent,
    });
  } catch (e) {
    if (!(e instanceof RelayFailure)) throw e;
    if (e.kind === "caller-gone") throw clientGone("backend");
    const timeout = e.kind === "timeout";
    const message = timeout ? e.message : backendErrorMessage(e.code, e.message);
    trace.add("backend", "forward-request", entry.backendCallFailed(message));
    const reason = timeout ? "Timeout" : "BackendConnectionFailure";
    const body = timeout ? gatewayTimeout(call.activityId) : internalServerError(call.activityId);
    throw new GatewayFailure(body.statusCode, body, { source: "request-forwarder", reason, message, section: "backend", path: "forward-request" });
  }
  if (trace.enabled) trace.add("backend", "forward-request", entry.backendResponse(response.status, response.statusMessage, entry.headerList(response.message.headers)));
  return response;
}

/** Sets `x-ms-stream`, passes the backend's status and headers on, then transfers the body. */
export async function outbound(call: Call, response: BackendResponse): Promise<void> {
  const { trace } = call;
  const stream = xMsStream(call.variables.get(STREAM_VARIABLE));
  if (trace.enabled) trace.add("outbound", "set-header", entry.headerAssigned("x-ms-stream", stream));
  Object.assign(response.headers, call.responseHeaders);
  response.headers["x-ms-stream"] = stream;
  try {
    await transfer(call.res, response, { buffer: call.api.bufferResponse });
  } catch (e) {
    if (!(e instanceof RelayFailure)) throw e;
    if (e.kind === "caller-gone") throw clientGone("outbound");
    throw new GatewayFailure(502, undefined, {
      source: "transfer-response", reason: "BackendConnectionFailure", message: e.message, section: "outbound",
    });
  }
  if (trace.enabled) trace.add("outbound", "transfer-response", entry.responseSent());
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

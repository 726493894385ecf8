/**
 * The gateway's built-in steps, which run before the API's policy document and whatever
 * it says (as in APIM, where operation matching and the subscription key check are no
 * policy of the API's). The policy itself is a document in policies/, run by ../policy.
 */
import type { Call } from "./call";
import { matchOperation } from "./apis";
import { backendRequestHeaders } from "./headers";
import { GatewayFailure, INVALID_SUBSCRIPTION_KEY, MISSING_SUBSCRIPTION_KEY, resourceNotFound } from "./errors";
import { callerGone } from "../policy/context";
import * as entry from "../trace/entries";
import { readBody, type BodyRead } from "../http";

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
  return callerGone("inbound");
}

/**
 * APIM's built-in steps before any policy: the request in the trace, the operation match,
 * the subscription key, the API's configuration; then the request body, which the
 * policies may read and forward-request sends on.
 */
export async function builtInSteps(call: Call): Promise<void> {
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

  // Read from the headers and the query when the call opened (./subscription-key).
  const key = call.subscriptionKey;
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

  call.backendUrl = api.serviceUrl + call.rest + call.search;
  call.backendHeaders = backendRequestHeaders(req.headers, { contentLength: call.body.length, clientIp: req.socket.remoteAddress });
}

/**
 * One request's life through the gateway: what every stage reads and writes. Opening a
 * call settles what APIM decides before any policy runs: whether the request is traced
 * (the debug token). A caller that goes away is noticed where it matters: by the body
 * reader (../http) and by the relay (./relay), whose backend request it aborts.
 */
import type { Agent, IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { ApiDefinition, ApiMatch } from "./apis";
import type { HeaderMap } from "../http";
import { takeSubscriptionKey } from "./subscription-key";
import { verifyDebugToken } from "../trace/debug-token";
import { createTraceRecorder, NO_TRACE, type TraceRecorder } from "../trace/trace";
import type { TraceStore } from "../trace/store";

export interface GatewayConfig {
  /** `serviceName` in traces, e.g. `apim-local-lab.azure-api.net`. */
  traceServiceName: string;
  apis: readonly ApiDefinition[];
  /** The subscription key check (see ../secret). */
  isSubscriptionKey(given: string): boolean;
  /** HMAC key the management API signs debug tokens with. */
  debugTokenKey: Uint8Array;
  /** `Bearer <the gateway's own credential>` for the backend (the lab policy's managed identity token). */
  backendAuthorization: string;
  traceStore: TraceStore;
  /** forward-request `timeout`: how long to wait for the backend's response headers. */
  backendTimeoutMs: number;
  maxRequestBodyBytes: number;
  /** How long the body may pause between two reads before the call fails with 408. */
  requestBodyTimeoutMs: number;
  agent: Agent;
}

export interface Call {
  readonly config: GatewayConfig;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly api: ApiDefinition;
  /** Path after the API's prefix, e.g. `/deployments/x/chat/completions`. */
  readonly rest: string;
  /** Query string to forward, including `?`, or empty; never the subscription key (./subscription-key). */
  readonly search: string;
  /** The key the caller presented, header or query, not yet checked. */
  readonly subscriptionKey: string | undefined;
  readonly trace: TraceRecorder;
  /** APIM's id for the request, shown in its 5xx bodies. */
  readonly activityId: string;
  /** Headers APIM adds to every response of this call: `Apim-Trace-Id`, debug-token warnings. */
  readonly responseHeaders: HeaderMap;
  body: Buffer;
  /** context.Variables. */
  variables: Map<string, unknown>;
  backendUrl: string;
  backendHeaders: HeaderMap;
}

/** `search`: the request's raw query, `?` included or empty. */
export function openCall(config: GatewayConfig, req: IncomingMessage, res: ServerResponse, match: ApiMatch, search: string): Call {
  const presented = takeSubscriptionKey(req.headers, search);
  const responseHeaders: HeaderMap = {};
  let trace = NO_TRACE;
  const header = req.headers["apim-debug-authorization"];
  const token = Array.isArray(header) ? header[0] : header;
  if (token) {
    const check = verifyDebugToken(token, config.debugTokenKey, { apiId: match.api.id });
    if (check.status === "valid") {
      trace = createTraceRecorder(config.traceServiceName, randomUUID());
      responseHeaders["Apim-Trace-Id"] = trace.traceId;
    } else if (check.status === "expired") {
      responseHeaders["Apim-Debug-Authorization-Expired"] = "true";
    } else if (check.status === "wrong-api") {
      responseHeaders["Apim-Debug-Authorization-WrongAPI"] = "true";
    }
  }

  return {
    config,
    req,
    res,
    api: match.api,
    rest: match.rest,
    search: presented.search,
    subscriptionKey: presented.key,
    trace,
    activityId: randomUUID(),
    responseHeaders,
    body: Buffer.alloc(0),
    variables: new Map(),
    backendUrl: match.api.serviceUrl,
    backendHeaders: {},
  };
}

/**
 * The gateway as an HTTP server on 127.0.0.1: finds the API, opens a call, runs the
 * built-in steps and then the API's policy document (../policy), and keeps the trace
 * when the call is over.
 */
import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { matchApi } from "./apis";
import { openCall, type GatewayConfig } from "./call";
import { apimError, GatewayFailure, internalServerError, resourceNotFound } from "./errors";
import { sendJson } from "../http";
import { builtInSteps } from "./stages";
import type { ApiDefinition } from "./apis";
import { PolicyContext } from "../policy/context";
import { runOnError, runPipeline } from "../policy/engine";
import { defaultPolicy } from "../policy/defaults";
import type { PolicyDocument } from "../policy/types";
import { NO_TRACE } from "../trace/trace";
import { createGuardedServer } from "../guard";
import { listen } from "../listen";
import { secretMatcher } from "../secret";

export interface GatewayOptions extends Omit<GatewayConfig, "agent" | "backendTimeoutMs" | "maxRequestBodyBytes" | "requestBodyTimeoutMs" | "isSubscriptionKey" | "backendAuthorization"> {
  /** The key callers present in `api-key` or `Ocp-Apim-Subscription-Key`. */
  subscriptionKey: string;
  /** The gateway's own credential for the backend. */
  backendToken: string;
  host?: string;
  /** 0 or absent: an ephemeral port. */
  port?: number;
  /** APIM's forward-request default is 300 seconds. */
  backendTimeoutMs?: number;
  maxRequestBodyBytes?: number;
  /** How long the body may pause between two reads before the call fails with 408 (default 30 s). */
  requestBodyTimeoutMs?: number;
  /** A caller must send its headers within this (default 20 s)... */
  headersTimeoutMs?: number;
  /** ...and its whole request within this (default 60 s), else Node answers 408 and closes. */
  requestTimeoutMs?: number;
}

export interface GatewayServer {
  /** No trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** `url`: the request target, checked to be a path (../guard). */
export async function handleRequest(config: GatewayConfig, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const match = matchApi(url.pathname, config.apis);
  if (!match) {
    // No API, so no debug token can apply: APIM's plain 404, untraced.
    sendJson(res, 404, resourceNotFound());
    return;
  }
  const call = openCall(config, req, res, match, url.search);
  const ctx = new PolicyContext(call);
  let document: PolicyDocument | undefined;
  try {
    await builtInSteps(call);
    document = policyOf(match.api);
    await runPipeline(document, ctx);
  } catch (e) {
    const failure =
      e instanceof GatewayFailure
        ? e
        : new GatewayFailure(500, internalServerError(call.activityId), {
            source: "gateway", reason: "InternalError", message: (e as Error).message, section: "inbound",
          });
    await runOnError(document, ctx, failure);
  } finally {
    if (call.trace !== NO_TRACE) config.traceStore.put(call.trace.document());
  }
}

/** The API's policy document; the lab's own by `bufferResponse` when it has none. */
function policyOf(api: ApiDefinition): PolicyDocument {
  return api.policy ?? defaultPolicy(api.bufferResponse);
}

export async function startGateway(options: GatewayOptions): Promise<GatewayServer> {
  const {
    host = "127.0.0.1",
    port = 0,
    backendTimeoutMs = 300_000,
    maxRequestBodyBytes = 4 * 1024 * 1024,
    requestBodyTimeoutMs = 30_000,
    headersTimeoutMs = 20_000,
    requestTimeoutMs = 60_000,
    subscriptionKey,
    backendToken,
    ...rest
  } = options;
  // Keep a kept-alive backend connection for every stream of a burst (the default keeps
  // 256): a burst of new connections costs a handshake each and can overflow the
  // backend's listen backlog, where a dropped SYN means a 1 s retry.
  // An idle connection is dropped after 4 s, before the backend drops it (a plain Node server
  // closes idle connections after 5 s; the lab's backend after 65 s, ../guard): a request sent on a connection the backend is
  // closing is reset (ECONNRESET on a reused socket, a 500 to the caller), which is what
  // failed streams in bursts. With a Keep-Alive hint Node uses the hint less 1 s if shorter.
  // Every document is loaded before the first request: a file that cannot run stops the start.
  for (const api of options.apis) policyOf(api);
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 2048, timeout: 4_000 });
  const config: GatewayConfig = {
    ...rest,
    isSubscriptionKey: secretMatcher(subscriptionKey),
    backendAuthorization: `Bearer ${backendToken}`,
    backendTimeoutMs,
    maxRequestBodyBytes,
    requestBodyTimeoutMs,
    agent,
  };
  // Slow callers cannot hold connections: Node checks both deadlines every checking interval.
  const timeouts = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
  };
  const server = createGuardedServer("gateway", { body: apimError }, timeouts, (req, res, url) => handleRequest(config, req, res, url));
  const listening = await listen(server, host, port);
  return {
    url: listening.url,
    close: () => {
      agent.destroy();
      return listening.close();
    },
  };
}

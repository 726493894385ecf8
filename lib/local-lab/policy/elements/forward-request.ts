/**
 * `forward-request` (learn.microsoft.com/azure/api-management/forward-request-policy): sends
 * the request to the backend and resolves once the response headers are in. The body is
 * moved later, by transfer-response (../engine), relayed chunk by chunk when
 * `buffer-response="false"`, in 8 KB pieces when true (APIM's default).
 */
import type { Policy, PolicyModule } from "../types";
import { forward, RelayFailure } from "../../gateway/relay";
import { backendErrorMessage, GatewayFailure, gatewayTimeout, internalServerError } from "../../gateway/errors";
import { callerGone } from "../context";
import * as entry from "../../trace/entries";

export interface ForwardOptions {
  bufferResponse: boolean;
  /** Absent: the gateway's default (APIM's 300 s unless the lab was started with another). */
  timeoutMs?: number;
  failOnErrorStatusCode?: boolean;
}

export function forwardRequest(o: ForwardOptions): Policy {
  return {
    name: "forward-request",
    async run(ctx) {
      const { call } = ctx;
      const { config, req } = call;
      const method = req.method ?? "POST";
      const timeoutMs = o.timeoutMs ?? config.backendTimeoutMs;
      ctx.bufferResponse = o.bufferResponse;
      ctx.trace("request-forwarder", () => entry.requestForwarded(timeoutMs / 1000, method, call.backendUrl, entry.headerList(call.backendHeaders)));
      let response;
      try {
        response = await forward(call.res, { url: call.backendUrl, method, headers: call.backendHeaders, body: call.body, timeoutMs, agent: config.agent });
      } catch (e) {
        if (!(e instanceof RelayFailure)) throw e;
        if (e.kind === "caller-gone") throw callerGone("backend");
        const timeout = e.kind === "timeout";
        const message = timeout ? e.message : backendErrorMessage(e.code, e.message);
        call.trace.add("backend", "forward-request", entry.backendCallFailed(message));
        const reason = timeout ? "Timeout" : "BackendConnectionFailure";
        const body = timeout ? gatewayTimeout(call.activityId) : internalServerError(call.activityId);
        throw new GatewayFailure(body.statusCode, body, { source: "request-forwarder", reason, message, section: "backend", path: "forward-request" });
      }
      ctx.trace("forward-request", () => entry.backendResponse(response.status, response.statusMessage, entry.headerList(response.message.headers)));
      ctx.response = { status: response.status, reason: response.statusMessage, headers: response.headers, message: response.message };
      if (o.failOnErrorStatusCode && response.status >= 400) {
        response.message.resume();
        throw new GatewayFailure(response.status, { statusCode: response.status, message: response.statusMessage }, {
          source: "forward-request", reason: "BackendErrorStatusCode", message: `The backend answered ${response.status} and fail-on-error-status-code is true.`, section: "backend",
        });
      }
    },
  };
}

export const forwardRequestModule: PolicyModule = {
  names: ["forward-request"],
  sections: ["backend"],
  compile(el, c) {
    const buffer = c.literal(el, "buffer-response", { choices: ["true", "false"] });
    const seconds = c.integer(el, "timeout");
    const ms = c.integer(el, "timeout-ms");
    if (seconds !== undefined && ms !== undefined) c.fail(el, "use either 'timeout' or 'timeout-ms', not both");
    const failOn = c.literal(el, "fail-on-error-status-code", { choices: ["true", "false"] });
    c.literal(el, "buffer-request-body", { choices: ["true", "false"] }); // the lab always has the whole request body
    c.literal(el, "http-version", { choices: ["1"] });
    c.literal(el, "follow-redirects", { choices: ["false"] });
    return forwardRequest({
      bufferResponse: buffer !== "false",
      timeoutMs: ms ?? (seconds === undefined ? undefined : seconds * 1000),
      failOnErrorStatusCode: failOn === "true",
    });
  },
};

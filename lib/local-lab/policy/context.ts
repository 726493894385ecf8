/**
 * APIM's `context` for one call, as the policies change it and expressions read it: the
 * request on its way to the backend, the response on its way back (still a stream until
 * a policy needs its body), the variables and `context.LastError`.
 */
import type { IncomingMessage } from "node:http";
import type { Call } from "../gateway/call";
import type { HeaderMap } from "../http";
import { EvaluationError, type ExpressionScope, type MessageKind } from "./expression/evaluate";
import type { Section } from "./types";
import type { ProxyError } from "../trace/entries";
import { GatewayFailure } from "../gateway/errors";

type Flow = "inbound" | "backend" | "outbound";
const flow = (section: Section): Flow => (section === "on-error" ? "outbound" : section);

/** The caller left while the gateway waited for the whole response. */
export function callerGone(section: Section): GatewayFailure {
  return new GatewayFailure(499, undefined, {
    source: section === "outbound" ? "transfer-response" : "request-forwarder",
    reason: "ClientConnectionFailure",
    message: "The client closed the connection before the response was sent in full.",
    section: flow(section),
  });
}

/** The backend's body ended before it was complete. */
export function cut(section: Section, message = "Underlying transport connection was unexpectedly closed."): GatewayFailure {
  return new GatewayFailure(502, undefined, { source: "transfer-response", reason: "BackendConnectionFailure", message, section: flow(section) });
}

/** The response the caller will get. */
export interface GatewayResponse {
  status: number;
  reason: string;
  headers: HeaderMap;
  /** The backend's body, not read yet: relayed as it arrives unless a policy buffers it. */
  message?: IncomingMessage;
  /** The whole body, once a policy read it or set it. */
  body?: Buffer;
  /** Which policy made the gateway wait for the whole response (shown in the trace). */
  bufferedBy?: string;
}

export interface ResponseObserver {
  chunk(bytes: Buffer): void;
  /** The caller has the whole response. */
  end(): void;
}

/** The most of a response body the lab buffers for a policy that reads it. */
export const MAX_BUFFERED_RESPONSE_BYTES = 16 * 1024 * 1024;

export class PolicyContext implements ExpressionScope {
  section: Section = "inbound";
  response: GatewayResponse | undefined;
  /** forward-request's buffer-response: 8 KB pieces instead of each chunk as it comes. */
  bufferResponse = false;
  /** return-response made the response: outbound policies are skipped. */
  returned = false;
  lastError: (ProxyError & { section: string }) | undefined;
  /** See the response's bytes as they pass to the caller, without holding them (token counting, metrics). */
  readonly observers: ResponseObserver[] = [];
  private json: Partial<Record<MessageKind, { value: unknown } | { error: string }>> = {};

  /** set-backend-service's base URL, which the backend URL is built on. */
  backendBase: string;

  constructor(readonly call: Call) {
    this.backendBase = call.api.serviceUrl;
  }

  get variables(): Map<string, unknown> {
    return this.call.variables;
  }

  /** Adds a trace entry to the current section, when the call is traced. */
  trace(source: string, data: () => unknown): void {
    if (this.call.trace.enabled) this.call.trace.add(this.section, source, data());
  }

  /** The headers set-header changes: the request's in inbound and backend, the response's after. */
  headers(target: "request" | "response"): HeaderMap {
    if (target === "request") return this.call.backendHeaders;
    return (this.response ??= { status: 200, reason: "OK", headers: {}, body: Buffer.alloc(0) }).headers;
  }

  header(which: MessageKind, name: string): string | undefined {
    const headers = which === "request" ? this.call.backendHeaders : this.response?.headers;
    const v = headers?.[name.toLowerCase()] ?? (headers ? findHeader(headers, name) : undefined);
    return Array.isArray(v) ? v.join(",") : v;
  }

  hasBody(which: MessageKind): boolean {
    if (which === "request") return !(this.call.body.length === 0 && this.call.req.method === "GET");
    return this.response !== undefined;
  }

  bodyText(which: MessageKind): string | undefined {
    if (!this.hasBody(which)) return undefined;
    if (which === "request") return this.call.body.toString("utf8");
    const r = this.response!;
    if (r.body === undefined) throw new EvaluationError("The response body is still streaming: a policy that reads it must buffer it first.");
    return r.body.toString("utf8");
  }

  bodyJson(which: MessageKind): unknown {
    // Parsed once a call: the lab's policy reads `Body.As<JObject>(true)` three times.
    let parsed = this.json[which];
    if (parsed === undefined) {
      const text = this.bodyText(which) ?? "";
      try {
        parsed = text.trim() === "" ? { error: "Object reference not set to an instance of an object." } : { value: JSON.parse(text) };
      } catch (e) {
        parsed = { error: (e as Error).message };
      }
      this.json[which] = parsed;
    }
    if ("error" in parsed) throw new EvaluationError(parsed.error);
    return parsed.value;
  }

  property(part: string, name: string): unknown {
    const { call } = this;
    const key = `${part}.${name}`;
    switch (key) {
      case "context.RequestId":
        return call.activityId;
      case "Request.Method":
        return call.req.method ?? "GET";
      case "Request.IpAddress":
        return call.req.socket.remoteAddress ?? "";
      case "Url.Path":
        return "/" + call.api.path + call.rest;
      case "Url.Host":
        return String(call.req.headers.host ?? "localhost").replace(/:\d+$/, "");
      case "Url.Scheme":
        return "http";
      case "Url.QueryString":
        return call.search;
      case "Response.StatusCode":
        return this.response?.status ?? 0;
      case "Response.StatusReason":
        return this.response?.reason ?? "";
      case "Api.Id":
      case "Api.Name":
        return call.api.name;
      case "Api.Path":
        return call.api.path;
      case "Subscription.Id":
      case "Subscription.Name":
        // The lab has one subscription, scoped to all APIs; never its key.
        return "master";
      case "Deployment.Region":
        return "Local Lab";
      case "Deployment.GatewayId":
        return "managed";
    }
    if (part === "LastError") {
      const e = this.lastError as unknown as Record<string, string | undefined> | undefined;
      return e === undefined ? null : (e[name.charAt(0).toLowerCase() + name.slice(1)] ?? null);
    }
    throw new EvaluationError(`context.${part === "context" ? "" : part + "."}${name} is not available in the lab.`);
  }

  /**
   * Reads the rest of the backend's body: the caller gets nothing more until it has all
   * arrived. This is what a policy that reads or validates the response costs a stream.
   */
  async bufferBody(policy: string): Promise<Buffer> {
    const r = this.response;
    if (r === undefined) return Buffer.alloc(0);
    if (r.body !== undefined) return r.body;
    const message = r.message!;
    const parts: Buffer[] = [];
    let length = 0;
    await new Promise<void>((resolve, reject) => {
      message.on("data", (chunk: Buffer) => {
        length += chunk.length;
        if (length > MAX_BUFFERED_RESPONSE_BYTES) message.destroy(new Error(`The response body exceeds the lab's ${MAX_BUFFERED_RESPONSE_BYTES} bytes for a buffering policy.`));
        else parts.push(chunk);
      });
      message.on("end", () => resolve());
      const fail = () => reject(this.call.res.destroyed ? callerGone(this.section) : cut(this.section));
      message.on("error", fail);
      message.on("close", () => {
        if (!message.complete) fail();
      });
    });
    r.body = Buffer.concat(parts, length);
    r.message = undefined;
    r.bufferedBy = policy;
    return r.body;
  }
}

function findHeader(headers: HeaderMap, name: string): string | string[] | undefined {
  const lower = name.toLowerCase();
  for (const key in headers) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

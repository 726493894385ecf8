/**
 * Forwarding to a real endpoint (Azure OpenAI, or anything OpenAI-compatible such as
 * a local model server), so the gateway can sit in front of a real model. The body
 * streams through as it arrives; a client that leaves aborts the upstream call.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { UpstreamConfig } from "./types";
import { cutConnection, HOP_BY_HOP, sendJson } from "../http";
import type { CallTap } from "../recording/writer";

/** Dropped because fetch decodes the body and we re-frame it, or because we set our own (host among them). */
const NOT_FORWARDED = new Set(["host", "content-length", "content-encoding", "api-key", "authorization"]);

export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Pure: where and what to send upstream for one validated lab request. */
export function upstreamTarget(
  upstream: UpstreamConfig,
  incomingUrl: string,
  incomingHeaders: IncomingMessage["headers"],
  body: string,
  model: string,
  /** The OpenAI-style path to post to; `/responses` for the Responses API. */
  path = "/chat/completions",
): UpstreamTarget {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incomingHeaders)) {
    if (value === undefined || HOP_BY_HOP.has(name) || NOT_FORWARDED.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  headers["content-type"] = "application/json";
  const base = upstream.url.replace(/\/+$/, "");
  if (upstream.kind === "azure") {
    if (upstream.apiKey) headers["api-key"] = upstream.apiKey;
    return { url: base + incomingUrl, headers, body };
  }
  if (upstream.apiKey) headers["authorization"] = `Bearer ${upstream.apiKey}`;
  // OpenAI-style servers pick the model from the body; Azure picks it from the URL.
  const json = JSON.parse(body) as Record<string, unknown>;
  return { url: base + path, headers, body: JSON.stringify({ ...json, model }) };
}

/** Sends the request and pipes the answer back; resolves when the response is over. `tap`: a recording of the exchange. */
export async function forward(target: UpstreamTarget, res: ServerResponse, extraHeaders: Record<string, string>, tap?: CallTap): Promise<void> {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableEnded) abort.abort();
  };
  res.on("close", onClose);
  try {
    const answer = await fetch(target.url, { method: "POST", headers: target.headers, body: target.body, signal: abort.signal });
    const headers: Record<string, string> = {};
    const received: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      received[name] = value;
      if (!HOP_BY_HOP.has(name) && !NOT_FORWARDED.has(name)) headers[name] = value;
    });
    tap?.response(answer.status, received);
    res.writeHead(answer.status, { ...headers, ...extraHeaders });
    res.flushHeaders();
    if (answer.body) {
      for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
        if (res.destroyed) break;
        tap?.read(chunk);
        if (!res.write(chunk)) await new Promise<void>((resolve) => { res.once("drain", resolve); res.once("close", resolve); });
      }
    }
    tap?.end(res.destroyed ? "cut" : "complete");
    if (!res.destroyed) res.end();
  } catch (err) {
    if (abort.signal.aborted || res.destroyed) return;
    if (!res.headersSent) {
      const message = `The upstream endpoint could not be reached: ${upstreamCause(err, target.url)}`;
      sendJson(res, 502, { error: { code: "BadGateway", message } }, { ...extraHeaders, "content-type": "application/json" });
    } else {
      // Mid-stream failure: end the connection without [DONE], as Azure does.
      cutConnection(res);
    }
  } finally {
    tap?.end("cut"); // the upstream or the caller stopped mid-body (a no-op once ended)
    res.off("close", onClose);
  }
}

type CodedError = Error & { code?: string; cause?: unknown };

/**
 * Why fetch could not reach the upstream, in one line that names the cause and what to
 * check. fetch itself says only "fetch failed"; the cause (a DNS, socket, TLS or undici
 * error) is in its `cause` chain, with Node's code.
 */
export function upstreamCause(err: unknown, url: string): string {
  let e = err as CodedError;
  while (e && e.code === undefined && e.cause instanceof Error) e = e.cause as CodedError;
  const code = e?.code ?? "";
  const { host } = safeUrl(url);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `DNS lookup failed for ${host} (${code}): check the host name in the upstream URL.`;
  if (code === "ECONNREFUSED") return `connection refused by ${host} (ECONNREFUSED): is the server running, on that port?`;
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") return `timed out connecting to ${host} (${code}): check the address and any firewall or proxy.`;
  if (code === "UND_ERR_HEADERS_TIMEOUT") return `${host} sent no response headers in time (${code}).`;
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return `${host} closed the connection (${code}).`;
  if (/^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code)) {
    return `TLS failed with ${host} (${code}): check that the URL's scheme (http or https) and the server's certificate are right.`;
  }
  const text = (e?.message ?? String(err)).split("\n")[0];
  return code ? `${text} (${code}).` : `${text}.`;
}

function safeUrl(url: string): { host: string } {
  try {
    return { host: new URL(url).host };
  } catch {
    return { host: "the upstream" };
  }
}

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
  return { url: base + "/chat/completions", headers, body: JSON.stringify({ ...json, model }) };
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
      const message = `The upstream endpoint could not be reached: ${(err as Error).message}`;
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

/**
 * Runs a loaded policy document for one call, in APIM's order: inbound, backend,
 * outbound, then the built-in transfer-response that sends the body on. One loop runs a
 * section; an error anywhere skips what is left and jumps to on-error with
 * `context.LastError` set, as APIM does ("Error handling in API Management policies").
 */
import { transfer, RelayFailure } from "../gateway/relay";
import { GatewayFailure, internalServerError } from "../gateway/errors";
import { cutConnection } from "../http";
import { EvaluationError } from "./expression/evaluate";
import { callerGone, cut, type PolicyContext } from "./context";
import { STOP, type Outcome, type Policy, type PolicyDocument } from "./types";
import * as entry from "../trace/entries";

/** One section (or a when's body): each policy in order; return-response stops them all. */
export async function runPolicies(list: readonly Policy[], ctx: PolicyContext): Promise<Outcome> {
  for (const policy of list) {
    try {
      if (policy.readsResponseBody && ctx.response?.message !== undefined) await buffer(ctx, policy.name);
      const outcome = policy.run(ctx);
      // Most policies finish at once: awaiting only promises keeps the hot path free of extra turns.
      if ((outcome instanceof Promise ? await outcome : outcome) === STOP) return STOP;
    } catch (e) {
      if (e instanceof EvaluationError) {
        throw new GatewayFailure(500, internalServerError(ctx.call.activityId), {
          source: policy.name, reason: "ExpressionValueEvaluationFailure", message: `Expression evaluation failed. ${e.message}`, section: flowSection(ctx),
        });
      }
      throw e;
    }
  }
}

/** Waits for the whole response body, and says in the trace which policy made it wait. */
export async function buffer(ctx: PolicyContext, policy: string): Promise<Buffer> {
  const started = Date.now();
  const body = await ctx.bufferBody(policy);
  ctx.trace(policy, () => ({
    message: "The response body was read in full before this policy ran: nothing reached the caller until the backend had finished.",
    bytes: body.length,
    waitedMs: Date.now() - started,
  }));
  return body;
}

function flowSection(ctx: PolicyContext): "inbound" | "backend" | "outbound" {
  return ctx.section === "on-error" ? "outbound" : ctx.section;
}

/** inbound, backend, outbound and transfer-response; throws a GatewayFailure for on-error. */
export async function runPipeline(document: PolicyDocument, ctx: PolicyContext): Promise<void> {
  const { sections } = document;
  ctx.section = "inbound";
  if ((await runPolicies(sections.inbound, ctx)) !== STOP) {
    ctx.section = "backend";
    if ((await runPolicies(sections.backend, ctx)) !== STOP) {
      ctx.section = "outbound";
      await runPolicies(sections.outbound, ctx);
    }
  }
  ctx.section = "outbound";
  await transferResponse(ctx);
}

/** The built-in last step: the status, headers and body to the caller. */
async function transferResponse(ctx: PolicyContext): Promise<void> {
  const { call } = ctx;
  // An empty <backend> forwards nothing: the caller gets 200 with no body.
  const r = (ctx.response ??= { status: 200, reason: "OK", headers: {}, body: Buffer.alloc(0) });
  Object.assign(r.headers, call.responseHeaders);
  const observe = ctx.observers;
  if (r.message !== undefined) {
    for (const o of observe) r.message.on("data", o.chunk);
    try {
      await transfer(call.res, { status: r.status, statusMessage: r.reason, headers: r.headers, message: r.message }, { buffer: ctx.bufferResponse });
    } catch (e) {
      if (!(e instanceof RelayFailure)) throw e;
      throw e.kind === "caller-gone" ? callerGone("outbound") : cut("outbound", e.message);
    }
  } else {
    const body = r.body ?? Buffer.alloc(0);
    for (const o of observe) o.chunk(body);
    delete r.headers["transfer-encoding"];
    r.headers["content-length"] = String(body.length);
    call.res.writeHead(r.status, r.reason, r.headers);
    await new Promise<void>((resolve, reject) => {
      call.res.on("close", () => (call.res.writableFinished ? resolve() : reject(callerGone("outbound"))));
      call.res.end(body, () => resolve());
    });
  }
  for (const o of observe) o.end();
  ctx.trace("transfer-response", () => entry.responseSent());
}

/**
 * on-error: `context.LastError` recorded, then the document's on-error policies, which may
 * change the error response (set-status, set-header, return-response). The caller gets
 * APIM's error body, or a cut connection when the status has already gone.
 */
export async function runOnError(document: PolicyDocument | undefined, ctx: PolicyContext, failure: GatewayFailure): Promise<void> {
  const { call } = ctx;
  const { res } = call;
  ctx.section = "on-error";
  call.trace.add("on-error", failure.lastError.source, entry.lastError(failure.lastError));
  ctx.lastError = failure.lastError;
  if (!failure.body || res.headersSent || res.destroyed) {
    // Mid-stream the status is gone already: a cut connection is how a caller learns of it,
    // after every byte the backend sent before its own cut.
    if (!res.destroyed) cutConnection(res);
    return;
  }
  const headers = { ...call.responseHeaders };
  if (failure.status === 401) {
    const host = call.req.headers.host ?? "localhost";
    headers["www-authenticate"] = `AzureApiManagementKey realm="http://${host}/${call.api.path}",name="api-key",type="header"`;
  }
  for (const [name, value] of Object.entries(failure.headers ?? {})) headers[name] = value;
  headers["content-type"] = "application/json; charset=utf-8";
  ctx.response?.message?.resume();
  ctx.response = { status: failure.status, reason: "", headers, body: Buffer.from(JSON.stringify(failure.body)) };
  if (document !== undefined && document.sections["on-error"].length > 0) {
    try {
      await runPolicies(document.sections["on-error"], ctx);
    } catch (e) {
      // An error inside on-error ends it; the caller still gets the error response so far.
      call.trace.add("on-error", "on-error", { message: `A policy in on-error failed: ${(e as Error).message}` });
    }
  }
  const r = ctx.response;
  const body = r.body ?? Buffer.alloc(0);
  r.headers["content-length"] = String(body.length);
  if (r.reason) res.writeHead(r.status, r.reason, r.headers);
  else res.writeHead(r.status, r.headers);
  res.end(body);
}

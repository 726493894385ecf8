/**
 * The backend as an HTTP server: one handler that walks a request through the same
 * checks Azure makes (route, key, api-version, deployment, body, quota), then either
 * plays a planned completion or forwards to a real endpoint.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { parseContentFilter, DEFAULT_CONTENT_FILTER } from "./content-filter";
import { deliver, type Generation } from "./delivery";
import { applyFault, faultError, parseFault, type Fault } from "./faults";
import { DEFAULT_DEPLOYMENTS, modelSession, reportedModel, systemFingerprint, validateDeployments } from "./deployments";
import { azureError, deploymentNotFound, errorBody, isAzureErrorAnswer, rateLimited, tooLarge, unauthorized, type AzureErrorAnswer } from "./errors";
import { planCompletion } from "./plan";
import { createRateLimiter, type RateLimiter } from "./rate-limit";
import { openReplyScript } from "./reply-script";
import { resolveRequestOptions } from "./request-options";
import { validateTiming } from "./timing";
import type { BackendOptions, BackendServer, DeploymentConfig } from "./types";
import { forward, upstreamTarget } from "./upstream";
import { createRecorder } from "../recording/writer";
import { readBody, sendJson } from "../http";
import { createGuardedServer } from "../guard";
import { listen } from "../listen";
import { apiKeyCheck } from "./auth";
import { checkApiVersion, parseChatRequest, parseRoute } from "./validate";
import { applyResponseFault, parseResponsesRequest, planResponse, responseIdentity } from "./responses";
import { modelOf, operationName, v1ApiVersion, v1DeploymentNotFound } from "./v1";

const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * Seen on Azure 200s in 2026 (a public write-up of one deployment): requests renew every
 * 10 s, tokens every 60 s; the reset figures are seconds, 0 while quota is left.
 */
const RATE_LIMIT_WINDOWS = {
  "x-ratelimit-renewalperiod-requests": "10",
  "x-ratelimit-renewalperiod-tokens": "60",
  "x-ratelimit-reset-requests": "0",
  "x-ratelimit-reset-tokens": "0",
};

export async function startBackend(options: BackendOptions = {}): Promise<BackendServer> {
  const deployments = options.deployments ?? DEFAULT_DEPLOYMENTS;
  validateDeployments(deployments);
  if (options.timing) validateTiming(options.timing);
  const labFilter = parseContentFilter(options.contentFilter ?? DEFAULT_CONTENT_FILTER, "contentFilter");
  // What Azure reports of a deployment is fixed by its configuration: worked out once.
  const byName = new Map<string, { config: DeploymentConfig; limiter: RateLimiter; model: string; fingerprint: string; session: string }>();
  for (const d of deployments) {
    const model = reportedModel(d);
    byName.set(d.name, { config: d, limiter: createRateLimiter(d), model, fingerprint: systemFingerprint(model), session: modelSession(model) });
  }

  const apiKey = options.apiKey ?? randomBytes(24).toString("hex");
  const authorized = apiKeyCheck(apiKey);
  const region = options.region ?? "Sweden Central";
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const replyScript = openReplyScript(options.replyScript);
  const upstream = options.upstream;
  if (options.record && !upstream) throw new Error("record: recording needs an upstream to record (--upstream URL)");
  // Each upstream call's exchange, secrets taken out, one file per call (../recording).
  const recorder = options.record ? createRecorder({ dir: options.record, secrets: upstream?.apiKey ? [upstream.apiKey] : [] }) : undefined;
  const generations = new Set<Generation>();
  let labFault: Fault = {};
  try {
    labFault = parseFault(options.fault ?? "");
  } catch (err) {
    throw new Error(`fault: ${(err as Error).message}`);
  }

  // Slow or stalled callers cannot hold a connection: headers and the whole request have deadlines.
  // A malformed request or a bug in a handler is answered in Azure's shape (../guard).
  const timeouts = { headersTimeout: options.headersTimeoutMs ?? 20_000, requestTimeout: options.requestTimeoutMs ?? 60_000 };
  const server = createGuardedServer("backend", { body: azureError }, timeouts, handle);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const headers: Record<string, string> = {
      "apim-request-id": randomUUID(),
      "x-request-id": randomUUID(),
      "x-ms-region": region,
      "x-lab-backend": upstream ? `upstream-${upstream.kind}` : "simulator",
    };

    const route = parseRoute(req.url ?? "/");
    if (isAzureErrorAnswer(route)) return send(res, route, headers);
    if (req.method !== "POST") return send(res, { status: 405, code: "405", message: "Method not allowed; use POST.", headers: { allow: "POST" } }, headers);
    if (!authorized(req)) return send(res, unauthorized(), headers);
    const versionError = route.v1 ? undefined : checkApiVersion(route.apiVersion);
    if (versionError) return send(res, versionError, headers);
    const apiVersion = route.v1 ? v1ApiVersion(route.apiVersion) : (route.apiVersion as string);

    // The v1 API names the deployment in the body: checked once the body is in.
    let deployment = byName.get(route.deployment);
    if (!route.v1 && !deployment && upstream?.kind !== "azure") return send(res, deploymentNotFound(), headers);

    // An oversized body is still read to its end (and dropped), so the client gets the 413 instead of a reset.
    const read = await readBody(req, res, { maxBytes: maxBody, drain: true });
    if (read.ok === false) {
      if (read.reason === "gone") return;
      return send(res, tooLarge(maxBody), headers);
    }
    const body = read.body.toString("utf8");
    const deploymentName = route.v1 ? modelOf(body) : route.deployment;
    if (isAzureErrorAnswer(deploymentName)) return send(res, deploymentName, headers);
    if (route.v1) {
      deployment = byName.get(deploymentName);
      if (!deployment && upstream?.kind !== "azure") return send(res, v1DeploymentNotFound(), headers);
    }
    const parseRequest = route.v1 === "responses" ? parseResponsesRequest : parseChatRequest;

    if (upstream) {
      const parsed = parseRequest(body);
      if (isAzureErrorAnswer(parsed)) return send(res, parsed, headers);
      const model = deployment?.config.model ?? deploymentName;
      const target = upstreamTarget(upstream, req.url ?? "/", req.headers, body, model, route.v1 === "responses" ? "/responses" : undefined);
      const call: Generation = { stop: () => res.destroy() };
      generations.add(call);
      try {
        const tap = recorder?.start({ method: "POST", url: req.url ?? "/", upstream: target.url, headers: target.headers, body: target.body });
        await forward(target, res, headers, tap);
      } finally {
        generations.delete(call);
      }
      return;
    }
    if (!deployment) return send(res, route.v1 ? v1DeploymentNotFound() : deploymentNotFound(), headers);

    const requestOptions = resolveRequestOptions(req.headers, options.timing, labFault, labFilter);
    if (isAzureErrorAnswer(requestOptions)) return send(res, requestOptions, headers);
    const chat = parseRequest(body);
    if (isAzureErrorAnswer(chat)) return send(res, chat, headers);

    let rules;
    try {
      rules = replyScript.rules();
    } catch (err) {
      return send(res, { status: 500, code: "ReplyScriptError", message: (err as Error).message }, headers);
    }
    const fault = requestOptions.fault;
    const injected = faultError(fault, apiVersion, operationName(route.v1));
    if (injected) return send(res, injected, { ...headers, "x-lab-fault-injected": String(fault.status) });
    if (fault.stream && chat.stream) headers["x-lab-fault-injected"] = `${fault.stream.kind}-after=${fault.stream.after}`;
    const identity = { id: completionId(), created: Math.floor(Date.now() / 1000), model: deployment.model, systemFingerprint: deployment.fingerprint };
    const plan = planCompletion(chat, deployment.config.model, identity, requestOptions.timing, rules, requestOptions.contentFilter);
    // The Responses API: the same plan, told in named events (./responses).
    const who = route.v1 === "responses" ? responseIdentity(deployment.model, identity.created) : undefined;
    const told = who ? planResponse(plan, chat, who) : plan;

    const admission = deployment.limiter.admit(plan.usage.total_tokens, Date.now());
    Object.assign(headers, {
      "x-ratelimit-limit-requests": String(deployment.config.requestsPerMinute),
      "x-ratelimit-limit-tokens": String(deployment.config.tokensPerMinute),
      "x-ratelimit-remaining-requests": String(admission.remainingRequests),
      "x-ratelimit-remaining-tokens": String(admission.remainingTokens),
      ...RATE_LIMIT_WINDOWS,
    });
    const refused = admission.refused;
    if (refused) return send(res, rateLimited(refused.kind, apiVersion, refused.retryAfterSeconds, operationName(route.v1)), headers);

    Object.assign(headers, {
      "x-ms-rai-invoked": String(requestOptions.contentFilter !== "none"),
      "x-ms-served-model": deployment.model,
      "azureml-model-session": deployment.session,
      "x-content-type-options": "nosniff",
      "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
      "x-lab-reply-source": plan.source,
      "x-lab-content-filter": requestOptions.contentFilter,
    });
    let generation: Generation;
    // A generation can end inside deliver() itself (everything due at once, or cut at once).
    let ended = false;
    const onEnd = () => {
      ended = true;
      generations.delete(generation);
    };
    if (chat.stream) {
      res.writeHead(200, {
        ...headers,
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, must-revalidate",
        "x-accel-buffering": "no",
      });
      // No flushHeaders: like Azure, the headers leave with the first events, when the
      // first token is ready (recorded: one network read, 406–803 ms after the request).
      const writes = who ? applyResponseFault(told.events, fault, who) : applyFault(plan.events, fault, true);
      generation = deliver(res, writes, startedAt, onEnd);
    } else {
      const json = JSON.stringify(told.body ?? {});
      res.writeHead(200, { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(json)) });
      // Not streamed: nothing is sent until the whole completion would be ready.
      generation = deliver(res, applyFault([{ atMs: plan.doneMs, data: json }], fault, false), startedAt, onEnd);
    }
    if (!ended && !res.writableEnded && !res.destroyed) generations.add(generation);
  }

  const listening = await listen(server, options.host, options.port);
  return {
    url: listening.url,
    apiKey,
    activeStreams: () => generations.size,
    close: () => {
      for (const g of [...generations]) g.stop();
      generations.clear();
      return listening.close();
    },
  };
}

function completionId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return "chatcmpl-" + Array.from(randomBytes(29), (b) => alphabet[b % alphabet.length]).join("");
}

/** Azure's error shape for what the guard answers itself. */
function send(res: ServerResponse, err: AzureErrorAnswer, headers: Record<string, string>): void {
  sendJson(res, err.status, errorBody(err), { ...headers, ...err.headers, "content-type": "application/json" });
}

/**
 * The subset of Azure Resource Manager the notebook calls, on 127.0.0.1: a deployment's
 * outputs, `listDebugCredentials` and `listTrace`, each behind a bearer token, with ARM's
 * paths, codes and error shape, so the same client code talks to Azure and to the lab.
 */
import { createServer, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { parseIsoDuration } from "./duration";
import { matchArmRoute, parseApiId, sameName } from "./routes";
import * as arm from "./errors";
import { secretMatcher } from "../secret";
import { signDebugToken } from "../trace/debug-token";
import type { TraceStore } from "../trace/store";
import { readBody, sendJson } from "../http";
import { listen } from "../listen";
import type { DeploymentOutputs } from "../../schema";

export interface ManagementOptions {
  host?: string;
  port?: number;
  /** The bearer token every call must carry. */
  token: string;
  subscriptionId: string;
  resourceGroup: string;
  deploymentName: string;
  serviceName: string;
  /** The APIs debug tokens can be issued for (full ARM ids). */
  apis: readonly { id: string; name: string }[];
  /** Read at request time: the gateway's URL is known only once it listens. */
  outputs: () => DeploymentOutputs;
  debugTokenKey: Uint8Array;
  traceStore: TraceStore;
  now?: () => number;
  /** Told each debug token handed out (the lab keeps them for leak scans). */
  onDebugToken?: (token: string) => void;
}

export interface ManagementServer {
  /** No trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** The calls' bodies are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** APIM's limit for debug credentials, and its default. */
export const MAX_DEBUG_CREDENTIAL_MS = 3_600_000;

type Reply = { status: number; body: unknown };

function authenticate(header: string | undefined, isToken: (given: string) => boolean): arm.ArmError | undefined {
  if (header === undefined || header.trim() === "") return arm.missingAuthorization();
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return arm.malformedAuthorization();
  return isToken(m[1]) ? undefined : arm.invalidToken();
}

function parseBody(raw: Buffer): { ok: true; value: Record<string, unknown> } | { ok: false; error: arm.ArmError } {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch (e) {
    return { ok: false, error: arm.invalidRequestContent((e as Error).message) };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: arm.invalidRequestContent("the body must be a JSON object.") };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function createManagementHandler(o: ManagementOptions) {
  const now = o.now ?? Date.now;
  const deployedAt = new Date(now()).toISOString();
  const isToken = secretMatcher(o.token);
  const serviceId = `/subscriptions/${o.subscriptionId}/resourceGroups/${o.resourceGroup}/providers/Microsoft.ApiManagement/service/${o.serviceName}`;

  function deployment(): Reply {
    const outputs = o.outputs();
    const asOutputs = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { type: "String", value: v }]));
    return {
      status: 200,
      body: {
        id: `/subscriptions/${o.subscriptionId}/resourceGroups/${o.resourceGroup}/providers/Microsoft.Resources/deployments/${o.deploymentName}`,
        name: o.deploymentName,
        type: "Microsoft.Resources/deployments",
        properties: {
          provisioningState: "Succeeded",
          mode: "Incremental",
          timestamp: deployedAt,
          parameters: {},
          outputs: asOutputs,
          outputResources: [{ id: serviceId }],
        },
      },
    };
  }

  function listDebugCredentials(body: Record<string, unknown>): Reply | arm.ArmError {
    const purposes = body.purposes;
    if (!Array.isArray(purposes) || purposes.length !== 1 || typeof purposes[0] !== "string" || !sameName(purposes[0], "tracing")) {
      return arm.validationError("purposes", `purposes must be ["tracing"], got ${JSON.stringify(purposes ?? null)}.`);
    }
    let lifetime = MAX_DEBUG_CREDENTIAL_MS;
    if (body.credentialsExpireAfter !== undefined && body.credentialsExpireAfter !== null) {
      const text = body.credentialsExpireAfter;
      const ms = typeof text === "string" ? parseIsoDuration(text) : undefined;
      if (ms === undefined) {
        return arm.validationError("credentialsExpireAfter", `credentialsExpireAfter '${String(text)}' is not an ISO 8601 duration such as PT1H.`);
      }
      if (ms <= 0 || ms > MAX_DEBUG_CREDENTIAL_MS) {
        return arm.validationError("credentialsExpireAfter", `credentialsExpireAfter '${text}' must be greater than zero and at most PT1H.`);
      }
      lifetime = ms;
    }
    if (typeof body.apiId !== "string" || body.apiId === "") {
      return arm.validationError("apiId", "apiId is required: the full resource id of an API, {apimServiceId}/apis/{apiName}.");
    }
    const parts = parseApiId(body.apiId);
    if (!parts) {
      return arm.validationError("apiId", `apiId '${body.apiId}' is not the full resource id of an API ({apimServiceId}/apis/{apiName}).`);
    }
    const api = o.apis.find((a) => sameName(a.id, body.apiId as string));
    if (!api) return arm.armError(404, "ResourceNotFound", `Api '${parts.api}' not found in service '${parts.service}'.`);
    const token = signDebugToken({ apiId: api.id, expiresAt: now() + lifetime, purposes: ["tracing"] }, o.debugTokenKey);
    o.onDebugToken?.(token);
    return { status: 200, body: { token } };
  }

  function listTrace(body: Record<string, unknown>): Reply | arm.ArmError {
    if (typeof body.traceId !== "string" || body.traceId === "") {
      return arm.validationError("traceId", "traceId is required: the value of the Apim-Trace-Id response header.");
    }
    const trace = o.traceStore.get(body.traceId);
    // Unknown, dropped from the bounded store, or still being written (a stream in progress).
    if (!trace) return arm.armError(404, "ResourceNotFound", `Trace '${body.traceId}' was not found.`);
    return { status: 200, body: trace };
  }

  /** Resolves one request to a reply; the order of checks follows ARM: auth, api-version, route, resources. */
  return function route(method: string, url: URL, authorization: string | undefined, rawBody: Buffer): Reply | arm.ArmError {
    const denied = authenticate(authorization, isToken);
    if (denied) return denied;
    if (!url.searchParams.get("api-version")) return arm.missingApiVersion();
    const r = matchArmRoute(url.pathname);
    if (!r) return arm.armError(404, "NotFound", `The local lab's management API does not serve '${url.pathname}'.`);
    if (!sameName(r.subscriptionId, o.subscriptionId)) return arm.subscriptionNotFound(r.subscriptionId);
    if (!sameName(r.resourceGroup, o.resourceGroup)) return arm.resourceGroupNotFound(r.resourceGroup);

    if (r.kind === "deployment") {
      if (method !== "GET") return arm.armError(405, "MethodNotAllowed", `The HTTP method '${method}' is not supported for a deployment here.`);
      if (!sameName(r.deployment, o.deploymentName)) return arm.deploymentNotFound(r.deployment);
      return deployment();
    }
    if (!sameName(r.service, o.serviceName)) return arm.serviceNotFound(r.resourceGroup, r.service);
    if (!sameName(r.gateway, "managed")) return arm.armError(404, "ResourceNotFound", `Gateway '${r.gateway}' not found.`);
    const action = r.action.toLowerCase();
    if (action !== "listdebugcredentials" && action !== "listtrace") {
      return arm.armError(404, "NotFound", `The action '${r.action}' is not supported by the local lab.`);
    }
    if (method !== "POST") return arm.armError(405, "MethodNotAllowed", `The HTTP method '${method}' is not supported for '${r.action}'.`);
    const body = parseBody(rawBody);
    if (body.ok === false) return body.error;
    return action === "listdebugcredentials" ? listDebugCredentials(body.value) : listTrace(body.value);
  };
}

/** ARM's request ids on every answer, as ARM sends them. */
function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { "x-ms-request-id": randomUUID(), "x-ms-correlation-request-id": randomUUID() });
}

export function startManagement(options: ManagementOptions): Promise<ManagementServer> {
  const { host = "127.0.0.1", port = 0 } = options;
  const route = createManagementHandler(options);
  // A stalled caller is cut off: headers within 20 s, the whole request within 60 s.
  const server = createServer({ headersTimeout: 20_000, requestTimeout: 60_000 }, async (req, res) => {
    const read = await readBody(req, res, { maxBytes: MAX_BODY_BYTES, drain: true });
    if (read.ok === false) {
      if (read.reason === "gone") return;
      return send(res, 413, arm.armError(413, "RequestEntityTooLarge", "The request body is too large.").body);
    }
    const header = req.headers.authorization;
    const reply = route(req.method ?? "GET", new URL(req.url ?? "/", "http://management"), header, read.body);
    send(res, reply.status, reply.body);
  });
  return listen(server, host, port);
}

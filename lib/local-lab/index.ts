/**
 * The local lab in one call: the model backend, the APIM gateway in front of it and
 * the management API beside it, all on 127.0.0.1, with a subscription key, management
 * token and debug-token signing key that are new on every start. Starting it twice in
 * one process gives two independent labs.
 */
import { randomBytes } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { startBackend, type BackendServer, type ContentFilterMode, type TimingOptions, type UpstreamConfig } from "./backend/index";
import { OPENAI_OPERATIONS, type ApiDefinition } from "./gateway/apis";
import { startGateway, type GatewayServer } from "./gateway/server";
import { startManagement, type ManagementServer } from "./management/server";
import { starting } from "./listen";
import { createTraceStore, DEFAULT_TRACE_BYTES, DEFAULT_TRACE_CAPACITY } from "./trace/store";
import { startReplayBackend } from "./recording/replayer";
import { loadPolicyFile } from "./policy/document";

export interface LocalLabOptions {
  /** ARM deployment name; default "streaming". */
  deploymentName?: string;
  /** Default `lab-${deploymentName}`. */
  resourceGroup?: string;
  /** Default {@link LOCAL_SUBSCRIPTION_ID}. */
  subscriptionId?: string;
  /** Name of the main API; default "openai" (its path stays `/openai`, which the OpenAI SDKs expect). */
  apiName?: string;
  /** APIM service name; default "apim-local-lab". */
  serviceName?: string;
  /** `x-ms-region` the backend reports. */
  region?: string;
  /**
   * How the simulated deployment's content filter streams: "default" (synchronous:
   * bursts), "asynchronous" (per token, annotation chunks) or "none"; default "default".
   * A request's `x-lab-content-filter` header replaces it.
   */
  contentFilter?: ContentFilterMode;
  /** Backend timing; `ZERO_LATENCY` from ./backend for tests. */
  timing?: Partial<TimingOptions>;
  /** A real Azure OpenAI or OpenAI-compatible endpoint behind the gateway, instead of the simulator. */
  upstream?: UpstreamConfig;
  /** buffer-response on the main API; default false. The `/buffered` API always buffers. */
  bufferResponse?: boolean;
  /**
   * An APIM policy document for the main API instead of policies/openai.xml (README,
   * "Policies"); a file that cannot run throws a PolicyLoadError, whose message is one
   * line starting `file:line:`.
   */
  policy?: string;
  gatewayPort?: number;
  managementPort?: number;
  backendPort?: number;
  /** forward-request timeout; default APIM's 300 s. */
  backendTimeoutMs?: number;
  /** Traces kept for listTrace before the oldest is dropped; default 200. */
  traceCapacity?: number;
  /** Bytes of traces (as JSON) kept before the oldest is dropped; default 16 MiB. */
  traceBytes?: number;
  /** Faults for every request, in the `x-lab-fault` header's grammar (README, "Injecting faults in the local lab"). */
  fault?: string;
  /** With `upstream`: record each call's exchange to this folder, one JSON Lines file per call (README, "Recording and replaying a real stream"). */
  record?: string;
  /** Answer from the recordings in this folder instead of the simulator. */
  replay?: string;
  /** With `replay`: 2 plays the recorded timing twice as fast; default 1. */
  replaySpeed?: number;
}

export interface LocalLab {
  /** No trailing slash. */
  gatewayUrl: string;
  managementUrl: string;
  backendUrl: string;
  subscriptionId: string;
  resourceGroup: string;
  deploymentName: string;
  serviceName: string;
  /** /subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{serviceName} */
  apimServiceId: string;
  /** apimServiceId + "/apis/" + apiName */
  apiId: string;
  /** The same API at `/buffered/openai` with buffer-response true. */
  bufferedApiId: string;
  subscriptionKey: string;
  managementToken: string;
  /** Hands out `managementToken`, as an Azure credential hands out ARM tokens. */
  credential: TokenCredential;
  /** Generations in progress at the backend (0 once an aborted stream has stopped). */
  activeBackendStreams(): number;
  /**
   * Every secret this lab made or handed out so far: subscription key, management token,
   * the gateway's own backend key, and each debug token issued (for leak scans in tests).
   */
  issuedSecrets(): string[];
  close(): Promise<void>;
}

/** A fixed, obviously local subscription id ("locallab" in hex, then zeros). */
export const LOCAL_SUBSCRIPTION_ID = "6c6f6361-6c6c-4162-8000-000000000000";

export const BUFFERED_API_NAME = "openai-buffered";

function secret(): string {
  return randomBytes(24).toString("base64url");
}

export async function startLocalLab(options: LocalLabOptions = {}): Promise<LocalLab> {
  const deploymentName = options.deploymentName ?? "streaming";
  const resourceGroup = options.resourceGroup ?? `lab-${deploymentName}`;
  const subscriptionId = options.subscriptionId ?? LOCAL_SUBSCRIPTION_ID;
  const apiName = options.apiName ?? "openai";
  const serviceName = options.serviceName ?? "apim-local-lab";
  const apimServiceId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${serviceName}`;
  const apiId = `${apimServiceId}/apis/${apiName}`;
  const bufferedApiId = `${apimServiceId}/apis/${BUFFERED_API_NAME}`;
  const subscriptionKey = secret();
  const managementToken = secret();
  const debugTokenKey = randomBytes(32);
  const traceStore = createTraceStore(options.traceCapacity ?? DEFAULT_TRACE_CAPACITY, options.traceBytes ?? DEFAULT_TRACE_BYTES);
  // Before any server starts: a policy that cannot run stops the lab at once.
  const policy = options.policy === undefined ? undefined : loadPolicyFile(options.policy);

  const opened: { close(): Promise<void> }[] = [];
  const debugTokens: string[] = [];
  const closeAll = () => Promise.all(opened.splice(0).reverse().map((s) => s.close().catch(() => undefined))).then(() => undefined);
  try {
    if (options.replay !== undefined && (options.upstream || options.record)) throw new Error("replay answers from recordings: it takes no upstream and records nothing");
    const backend: BackendServer = await starting(
      "backend",
      options.replay !== undefined
        ? startReplayBackend({ dir: options.replay, speed: options.replaySpeed, port: options.backendPort, fault: options.fault })
        : startBackend({ port: options.backendPort, region: options.region, timing: options.timing, fault: options.fault, contentFilter: options.contentFilter, upstream: options.upstream, record: options.record }),
    );
    opened.push(backend);
    const apis: ApiDefinition[] = [
      { id: apiId, name: apiName, path: "openai", serviceUrl: `${backend.url}/openai`, bufferResponse: options.bufferResponse ?? false, policy, operations: [...OPENAI_OPERATIONS] },
      { id: bufferedApiId, name: BUFFERED_API_NAME, path: "buffered/openai", serviceUrl: `${backend.url}/openai`, bufferResponse: true, operations: [...OPENAI_OPERATIONS] },
    ];
    const gateway: GatewayServer = await starting("gateway", startGateway({
      port: options.gatewayPort,
      traceServiceName: `${serviceName}.azure-api.net`,
      apis,
      subscriptionKey,
      debugTokenKey,
      backendToken: backend.apiKey,
      traceStore,
      backendTimeoutMs: options.backendTimeoutMs,
    }));
    opened.push(gateway);
    const management: ManagementServer = await starting("management", startManagement({
      port: options.managementPort,
      token: managementToken,
      subscriptionId,
      resourceGroup,
      deploymentName,
      serviceName,
      apis,
      outputs: () => ({ apimServiceId, apimSubscriptionKey: subscriptionKey, apimResourceGatewayURL: gateway.url }),
      debugTokenKey,
      traceStore,
      onDebugToken: (token) => debugTokens.push(token),
    }));
    opened.push(management);

    const credential: TokenCredential = {
      getToken: async (): Promise<AccessToken> => ({ token: managementToken, expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    let closing: Promise<void> | undefined;
    return {
      gatewayUrl: gateway.url,
      managementUrl: management.url,
      backendUrl: backend.url,
      subscriptionId,
      resourceGroup,
      deploymentName,
      serviceName,
      apimServiceId,
      apiId,
      bufferedApiId,
      subscriptionKey,
      managementToken,
      credential,
      activeBackendStreams: () => backend.activeStreams(),
      issuedSecrets: () => [subscriptionKey, managementToken, backend.apiKey, ...debugTokens],
      close: () => (closing ??= closeAll()),
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

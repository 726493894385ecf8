/**
 * The management-plane calls the lab makes, as plain ARM REST calls: read a
 * deployment's outputs, get an APIM debug token, fetch a request trace. The
 * endpoint and the credential are passed in, so the same code talks to Azure
 * Resource Manager and to the local lab's stand-in.
 */
import type { TokenCredential } from "@azure/identity";
import { LabError } from "./errors";
import { mask, registerSecret } from "./report/mask";
import type { DeploymentOutputs, TraceDocument } from "./schema";

export const DEPLOYMENTS_API_VERSION = "2024-03-01";
export const APIM_API_VERSION = "2024-05-01";
const ARM_SCOPE = "https://management.azure.com/.default";

/** What went wrong, as a code to branch on; the message says what to do. */
export type ManagementErrorCode =
  | "NotSignedIn"
  | "AzureCliNotFound"
  | "NoSubscription"
  | "Unauthorized"
  | "ResourceGroupNotFound"
  | "DeploymentNotFound"
  | "OutputsMissing"
  | "DebugTokenExpired"
  | "TraceNotFound"
  | "EndpointUnreachable"
  | "RequestFailed";

export class ManagementError extends LabError {
  readonly code: ManagementErrorCode;
  /** HTTP status of the failed call, when there was one. */
  readonly status?: number;
  /** The service's own error code (ARM's `error.code`), when there was one. */
  readonly serviceCode?: string;

  constructor(code: ManagementErrorCode, message: string, status?: number, serviceCode?: string) {
    super(mask(message));
    this.code = code;
    this.status = status;
    this.serviceCode = serviceCode;
  }
}

export interface ManagementClientOptions {
  /** ARM endpoint, e.g. https://management.azure.com or the local lab's managementUrl. */
  endpoint: string;
  credential: TokenCredential;
  /** fetch to use; the global one by default. */
  fetch?: typeof fetch;
}

export interface CallOptions {
  abortSignal?: AbortSignal;
}

export interface TraceOptions extends CallOptions {
  /** How long to keep asking while the trace is not ready yet (default 5000 ms). */
  waitMs?: number;
  /** Pause between attempts (default 250 ms). */
  intervalMs?: number;
}

interface ArmErrorBody {
  error?: { code?: string; message?: string };
}

export class ManagementClient {
  private readonly endpoint: string;
  private readonly credential: TokenCredential;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ManagementClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.credential = options.credential;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Reads `apimServiceId`, `apimSubscriptionKey` and `apimResourceGatewayURL` from a lab deployment. */
  async getDeploymentOutputs(subscriptionId: string, resourceGroup: string, deploymentName: string, options: CallOptions = {}): Promise<DeploymentOutputs> {
    if (!subscriptionId) {
      throw new ManagementError("NoSubscription", "no Azure subscription chosen: set AZURE_SUBSCRIPTION_ID, or run `az account set --subscription <id>`");
    }
    const path =
      `/subscriptions/${encodeURIComponent(subscriptionId)}/resourcegroups/${encodeURIComponent(resourceGroup)}` +
      `/providers/Microsoft.Resources/deployments/${encodeURIComponent(deploymentName)}?api-version=${DEPLOYMENTS_API_VERSION}`;
    const body = (await this.call("GET", path, undefined, options, (status, code) => {
      if (status === 404 && code === "SubscriptionNotFound") {
        return new ManagementError("NoSubscription", `subscription ${subscriptionId} not found for this login: check AZURE_SUBSCRIPTION_ID, or run \`az account set --subscription <id>\``, status, code);
      }
      if (status === 404 && code === "ResourceGroupNotFound") {
        return new ManagementError("ResourceGroupNotFound", `resource group ${resourceGroup} not found in subscription ${subscriptionId}: check resourceGroup (or deploymentName, which names it lab-<deploymentName>)`, status, code);
      }
      if (status === 404) {
        return new ManagementError("DeploymentNotFound", `deployment ${deploymentName} not found in resource group ${resourceGroup}: check deploymentName, or deploy the lab first`, status, code);
      }
      return undefined;
    })) as { properties?: { outputs?: Record<string, { value?: unknown } | undefined> } };
    const outputs = body.properties?.outputs ?? {};
    const read = (name: keyof DeploymentOutputs): string => {
      const value = outputs[name]?.value;
      if (typeof value !== "string" || value === "") {
        throw new ManagementError("OutputsMissing", `deployment ${deploymentName} has no output "${name}": is it a deployment of this lab? Redeploy the lab or choose another deploymentName`);
      }
      return value;
    };
    const apimServiceId = read("apimServiceId");
    const apimSubscriptionKey = read("apimSubscriptionKey");
    registerSecret(apimSubscriptionKey);
    return {
      apimServiceId,
      apimSubscriptionKey,
      apimResourceGatewayURL: read("apimResourceGatewayURL").replace(/\/+$/, ""),
    };
  }

  /** Gets a debug token for `Apim-Debug-Authorization`, valid for `expireAfter` (ISO 8601, at most PT1H). */
  async listDebugCredentials(apimServiceId: string, apiId: string, expireAfter = "PT1H", options: CallOptions = {}): Promise<string> {
    const body = (await this.call(
      "POST",
      `${apimServiceId}/gateways/managed/listDebugCredentials?api-version=${APIM_API_VERSION}`,
      { credentialsExpireAfter: expireAfter, apiId, purposes: ["tracing"] },
      options,
    )) as { token?: unknown };
    if (typeof body.token !== "string") {
      throw new ManagementError("RequestFailed", "listDebugCredentials answered without a token: check that the gateway is a managed APIM gateway");
    }
    registerSecret(body.token);
    return body.token;
  }

  /**
   * Fetches the trace of one call. A trace is written when the call ends, so a
   * call made a moment ago may not have one yet: ask again for a little while.
   */
  async listTrace(apimServiceId: string, traceId: string, options: TraceOptions = {}): Promise<TraceDocument> {
    const waitMs = options.waitMs ?? 5000;
    const intervalMs = options.intervalMs ?? 250;
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return (await this.call(
          "POST",
          `${apimServiceId}/gateways/managed/listTrace?api-version=${APIM_API_VERSION}`,
          { traceId },
          options,
          (status, code) =>
            status === 404
              ? new ManagementError("TraceNotFound", `trace ${traceId} not found: traces are kept only for a while; make the call again (with a valid debug token)`, status, code)
              : undefined,
        )) as TraceDocument;
      } catch (error) {
        if (!(error instanceof ManagementError) || error.code !== "TraceNotFound" || Date.now() + intervalMs > deadline) throw error;
        await sleep(intervalMs, options.abortSignal);
      }
    }
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    options: CallOptions,
    explain: (status: number, code: string | undefined) => ManagementError | undefined = () => undefined,
  ): Promise<unknown> {
    const token = await this.token(options);
    const url = this.endpoint + (path.startsWith("/") ? path : "/" + path);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options.abortSignal,
      });
    } catch (error) {
      if (options.abortSignal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ManagementError("EndpointUnreachable", `management endpoint ${this.endpoint} unreachable (${cause}): check the endpoint and your network, or start the local lab`);
    }
    const text = await response.text();
    if (response.ok) {
      try {
        return JSON.parse(text);
      } catch {
        throw new ManagementError("RequestFailed", `${method} ${pathOnly(path)} answered ${response.status} with a body that is not JSON: check managementEndpoint`, response.status);
      }
    }
    let armError: ArmErrorBody["error"];
    try {
      armError = (JSON.parse(text) as ArmErrorBody).error;
    } catch {
      armError = undefined;
    }
    const explained = explain(response.status, armError?.code);
    if (explained) throw explained;
    if (response.status === 401 || response.status === 403) {
      throw new ManagementError("Unauthorized", `the management API refused the token (${response.status} ${armError?.code ?? ""}): run \`az login\` again, or check your access to the subscription`, response.status, armError?.code);
    }
    const detail = armError?.message ?? text.slice(0, 200);
    throw new ManagementError("RequestFailed", `${method} ${pathOnly(path)} failed with ${response.status} ${armError?.code ?? ""}: ${detail}`, response.status, armError?.code);
  }

  private async token(options: CallOptions): Promise<string> {
    try {
      const accessToken = await this.credential.getToken(ARM_SCOPE, { abortSignal: options.abortSignal });
      if (accessToken) {
        registerSecret(accessToken.token);
        return accessToken.token;
      }
    } catch (error) {
      // A credential that says what to do (the lab's Azure CLI credential, in connect.ts) is taken at its word.
      if (error instanceof LabError) throw error;
      throw new ManagementError("NotSignedIn", `not signed in to Azure: run \`az login\`, then run this step again (${firstLine((error as Error).message)})`);
    }
    throw new ManagementError("NotSignedIn", "not signed in to Azure: run `az login`, then run this step again");
  }
}

/**
 * Reads the gateway's answer to a debug token. APIM still serves the call when the
 * token is bad; it only says so in a header, and then there is no trace.
 */
export function checkDebugHeaders(headers: { get(name: string): string | null }): void {
  if (headers.get("Apim-Debug-Authorization-Expired") !== null) {
    throw new ManagementError("DebugTokenExpired", "debug token expired: run step 2 again to get a new one");
  }
  if (headers.get("Apim-Debug-Authorization-WrongAPI") !== null) {
    throw new ManagementError("RequestFailed", "the debug token is for another API: run step 2 again with this API's apiId");
  }
}

function pathOnly(path: string): string {
  return path.split("?")[0];
}

/** A message's first line, whole: a cause cut mid-word says less than a long line. */
function firstLine(text: string): string {
  return (text ?? "").split("\n")[0].trim();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

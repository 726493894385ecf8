/**
 * Step 1's plumbing: where the management API is and which credential to show it.
 * On Azure that is Azure Resource Manager with the Azure CLI's login, as the
 * original lab assumes. Locally it is the local lab, started in this process the
 * first time and reused when the cell runs again.
 */
import { execFile } from "node:child_process";
import type { TokenCredential } from "@azure/identity";
import { ManagementClient, ManagementError } from "./management";
import { registerSecret } from "./report/mask";
import type { Settings } from "./settings";
import { startLocalLab, type LocalLab, type LocalLabOptions } from "./local-lab/index";

export interface LabConnection {
  management: ManagementClient;
  subscriptionId: string;
  /** The local lab, when the target is local. */
  localLab?: LocalLab;
}

export interface ConnectOptions {
  /** Use this credential instead of the Azure CLI's (tests, service principals). */
  credential?: TokenCredential;
  /** Options for the local lab (latency, buffering, ports). */
  localLab?: LocalLabOptions;
}

export async function connect(settings: Settings, options: ConnectOptions = {}): Promise<LabConnection> {
  if (settings.target === "local") {
    const localLab = await sharedLocalLab({
      deploymentName: settings.deploymentName,
      resourceGroup: settings.resourceGroup,
      apiName: settings.apiName,
      ...recordingOptions(settings),
      ...options.localLab,
    });
    return {
      management: new ManagementClient({ endpoint: localLab.managementUrl, credential: options.credential ?? localLab.credential }),
      subscriptionId: localLab.subscriptionId,
      localLab,
    };
  }
  const credential = options.credential ?? (await azureCliCredential());
  const subscriptionId = settings.subscriptionId || (await cliSubscriptionId());
  return { management: new ManagementClient({ endpoint: settings.managementEndpoint, credential }), subscriptionId };
}

/** A replay, or a real endpoint (recorded or not) behind the local gateway, as the settings say. */
function recordingOptions(settings: Settings): LocalLabOptions {
  if (settings.replay) return { replay: settings.replay };
  if (!settings.upstream) return {};
  const apiKey = process.env.LAB_UPSTREAM_API_KEY || undefined;
  if (apiKey) registerSecret(apiKey);
  return { upstream: { kind: "azure", url: settings.upstream, apiKey }, ...(settings.record ? { record: settings.record } : {}) };
}

async function azureCliCredential(): Promise<TokenCredential> {
  // Loaded only for Azure, so the offline lab never needs @azure/identity at all.
  const { AzureCliCredential } = await import("@azure/identity");
  const cli = new AzureCliCredential();
  return {
    getToken: (scopes, options) =>
      cli.getToken(scopes, options).catch((error: unknown) => {
        throw azureCliError(error);
      }),
  };
}

/**
 * The Azure CLI credential's failures, with their cause first. Without the CLI it says
 * "Azure CLI could not be found. Please visit ... using 'az login'." (@azure/identity
 * 4.x, when the shell answers `az: not found` or `'az' is not recognized`): a sign-in
 * would not help, installing the CLI does.
 */
function azureCliError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  return /Azure CLI could not be found/i.test(message) ? azureCliNotFound() : error;
}

/** The CLI is needed for the token even with AZURE_SUBSCRIPTION_ID set: installing it is what helps. */
function azureCliNotFound(): ManagementError {
  return new ManagementError(
    "AzureCliNotFound",
    "the Azure CLI (az) is not installed or not on PATH, and the lab signs in to Azure with it: install it (https://aka.ms/azure-cli), run `az login`, then run this step again",
  );
}

/** The subscription of the Azure CLI's current account, as `az account show` tells it. */
function cliSubscriptionId(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("az", ["account", "show", "--query", "id", "-o", "tsv"], { timeout: 30_000 }, (error, stdout) => {
      const id = String(stdout ?? "").trim();
      if (!error && id) return resolve(id);
      if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") return reject(azureCliNotFound());
      reject(new ManagementError("NotSignedIn", "not signed in to Azure: run `az login` (or set AZURE_SUBSCRIPTION_ID), then run this step again"));
    });
  });
}

const LAB_KEY = Symbol.for("apim-streaming-lab.localLab");
interface SharedLab {
  key: string;
  lab: Promise<LocalLab>;
}
const globals = globalThis as unknown as Record<symbol, SharedLab | undefined>;

/**
 * One local lab per process, kept on `globalThis` so that re-running a cell (or a
 * kernel loading this module twice) reuses it. Other options start a fresh one.
 */
export async function sharedLocalLab(options: LocalLabOptions): Promise<LocalLab> {
  const key = JSON.stringify(options);
  const current = globals[LAB_KEY];
  if (current && current.key === key) return current.lab;
  if (current) await (await current.lab.catch(() => undefined))?.close();
  const lab = startLocalLab(options).then((started) => {
    registerSecret(started.subscriptionKey);
    registerSecret(started.managementToken);
    return started;
  });
  globals[LAB_KEY] = { key, lab };
  lab.catch(() => {
    if (globals[LAB_KEY]?.lab === lab) globals[LAB_KEY] = undefined;
  });
  return lab;
}

/** Stops the shared local lab, if one runs (the headless runner calls this at the end). */
export async function closeSharedLocalLab(): Promise<void> {
  const current = globals[LAB_KEY];
  globals[LAB_KEY] = undefined;
  if (current) await (await current.lab.catch(() => undefined))?.close();
}

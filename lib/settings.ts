/**
 * The notebook's variables in one object: which lab to talk to and with which
 * names. Each comes from, in order of precedence: the parameters passed in (the
 * notebook's parameters cell, or `npm start -- --name value`), the environment,
 * then the defaults below.
 */
import { LabError } from "./errors";

export type Target = "local" | "azure";

export interface Settings {
  /** `local`: the offline lab started in this process. `azure`: a real lab deployment. */
  target: Target;
  /** Name of the lab's ARM deployment (the original's `deployment_name`). */
  deploymentName: string;
  /** Resource group of that deployment: `lab-<deploymentName>` unless given. */
  resourceGroup: string;
  /** The Azure OpenAI deployment (model) behind the gateway. */
  openaiDeploymentName: string;
  /** The Azure OpenAI data-plane API version. */
  openaiApiVersion: string;
  /** The APIM API that fronts Azure OpenAI; debug tokens are issued for it. */
  apiName: string;
  /**
   * Path prefix of a second gateway API that buffers responses (`buffer-response="true"`),
   * for the buffering step: its endpoint is `<gateway URL>/<bufferedApiPath>`. The local
   * lab has one at `buffered`; on Azure the step is skipped unless you set one.
   */
  bufferedApiPath: string;
  /** Azure subscription id; on Azure, taken from the CLI's current account when empty. */
  subscriptionId: string;
  /** Azure Resource Manager endpoint. */
  managementEndpoint: string;
  /**
   * Local lab only: a folder of recordings to answer from instead of the simulator
   * (README, "Recording and replaying a real stream"). Relative to the lab's folder.
   */
  replay: string;
  /**
   * Local lab only: a real Azure OpenAI resource (https://name.openai.azure.com) behind the
   * local gateway instead of the simulator; its key from LAB_UPSTREAM_API_KEY, never a setting.
   */
  upstream: string;
  /** With `upstream`: a folder to record each call to, for a replay later. */
  record: string;
}

/** Where each setting can come from in the environment. */
const ENV: Record<keyof Settings, string> = {
  target: "LAB_TARGET",
  deploymentName: "LAB_DEPLOYMENT_NAME",
  resourceGroup: "LAB_RESOURCE_GROUP",
  openaiDeploymentName: "LAB_OPENAI_DEPLOYMENT",
  openaiApiVersion: "LAB_OPENAI_API_VERSION",
  apiName: "LAB_API_NAME",
  bufferedApiPath: "LAB_BUFFERED_API_PATH",
  subscriptionId: "AZURE_SUBSCRIPTION_ID",
  managementEndpoint: "LAB_MANAGEMENT_ENDPOINT",
  replay: "LAB_REPLAY",
  upstream: "LAB_UPSTREAM",
  record: "LAB_RECORD",
};

export const DEFAULTS = {
  target: "local" as Target,
  deploymentName: "streaming",
  openaiDeploymentName: "gpt-4o-mini",
  openaiApiVersion: "2024-10-21",
  apiName: "openai",
  bufferedApiPath: { local: "buffered", azure: "" },
  subscriptionId: "",
  managementEndpoint: "https://management.azure.com",
};

export class SettingsError extends LabError {
  readonly code = "InvalidSetting";
}

/** Setting names, also as the runner's flags: `deploymentName` is `--deployment-name`. */
export const SETTING_NAMES = Object.keys(ENV) as (keyof Settings)[];

export function loadSettings(parameters: Partial<Record<keyof Settings, string>> = {}, env: Record<string, string | undefined> = process.env): Settings {
  for (const name of Object.keys(parameters)) {
    if (!(SETTING_NAMES as string[]).includes(name)) {
      throw new SettingsError(`unknown setting "${name}": use one of ${SETTING_NAMES.join(", ")}`);
    }
  }
  const pick = (name: keyof Settings): string | undefined => {
    const value = parameters[name] ?? env[ENV[name]];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const target = pick("target") ?? DEFAULTS.target;
  if (target !== "local" && target !== "azure") {
    throw new SettingsError(`target "${target}" is not known: use "local" (the offline lab) or "azure" (a real deployment)`);
  }
  const deploymentName = pick("deploymentName") ?? DEFAULTS.deploymentName;
  const apiVersion = pick("openaiApiVersion") ?? DEFAULTS.openaiApiVersion;
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) {
    throw new SettingsError(`openaiApiVersion "${apiVersion}" is not an API version: use a date such as ${DEFAULTS.openaiApiVersion}`);
  }
  const managementEndpoint = (pick("managementEndpoint") ?? DEFAULTS.managementEndpoint).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(managementEndpoint)) {
    throw new SettingsError(`managementEndpoint "${managementEndpoint}" is not a URL: use e.g. ${DEFAULTS.managementEndpoint}`);
  }
  const replay = pick("replay") ?? "";
  const upstream = (pick("upstream") ?? "").replace(/\/+$/, "");
  const record = pick("record") ?? "";
  if (target !== "local" && (replay || upstream || record)) {
    throw new SettingsError(`${replay ? "replay" : upstream ? "upstream" : "record"} is for the local lab: leave it out with target "azure", or set target "local"`);
  }
  if (upstream && !/^https?:\/\/[^/]+/.test(upstream)) throw new SettingsError(`upstream "${upstream}" is not a URL: use your resource's endpoint, e.g. https://my-resource.openai.azure.com`);
  if (record && !upstream) throw new SettingsError("record needs upstream: the endpoint whose answers to record");
  if (replay && upstream) throw new SettingsError("replay answers from recordings: leave out upstream");
  return {
    target,
    deploymentName,
    resourceGroup: pick("resourceGroup") ?? `lab-${deploymentName}`,
    openaiDeploymentName: pick("openaiDeploymentName") ?? DEFAULTS.openaiDeploymentName,
    openaiApiVersion: apiVersion,
    apiName: pick("apiName") ?? DEFAULTS.apiName,
    bufferedApiPath: (pick("bufferedApiPath") ?? DEFAULTS.bufferedApiPath[target]).replace(/^\/+|\/+$/g, ""),
    subscriptionId: pick("subscriptionId") ?? DEFAULTS.subscriptionId,
    managementEndpoint,
    replay,
    upstream,
    record,
  };
}

/** The settings as name/value rows for a table (none is a secret; tables mask what they show). */
export function settingsRows(settings: Settings): [string, string][] {
  return SETTING_NAMES.map((name) => [name, settings[name] === "" ? "(not set)" : String(settings[name])]);
}

/**
 * The lab's model deployments and how Azure names their models in responses.
 */
import { createHash } from "node:crypto";
import type { DeploymentConfig } from "./types";

/** Generous enough that a workshop never hits them by accident; tests set their own. */
export const DEFAULT_DEPLOYMENTS: DeploymentConfig[] = [
  { name: "gpt-4o-mini", model: "gpt-4o-mini", tokensPerMinute: 1_000_000, requestsPerMinute: 6_000 },
  { name: "gpt-4.1-mini", model: "gpt-4.1-mini", tokensPerMinute: 1_000_000, requestsPerMinute: 6_000 },
  { name: "gpt-35-turbo", model: "gpt-35-turbo", tokensPerMinute: 1_000_000, requestsPerMinute: 6_000 },
];

/** Azure answers with the dated model version, except for gpt-35-turbo. */
const REPORTED: Record<string, string> = {
  "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
  "gpt-4o": "gpt-4o-2024-11-20",
  "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
  "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
  "gpt-4.1": "gpt-4.1-2025-04-14",
  "gpt-35-turbo": "gpt-35-turbo",
};

export function reportedModel(d: DeploymentConfig): string {
  return d.reportedModel ?? REPORTED[d.model] ?? d.model;
}

/** Stable per model, shaped like Azure's (`fp_` and ten hex digits). */
export function systemFingerprint(model: string): string {
  return "fp_" + createHash("sha256").update(model).digest("hex").slice(0, 10);
}

export function validateDeployments(list: DeploymentConfig[]): void {
  const seen = new Set<string>();
  for (const d of list) {
    if (!d.name || !/^[A-Za-z0-9._-]+$/.test(d.name)) throw new Error(`deployment name "${d.name}" must be letters, digits, '.', '_' or '-'`);
    if (seen.has(d.name)) throw new Error(`deployment "${d.name}" is configured twice`);
    seen.add(d.name);
    if (!(d.tokensPerMinute > 0) || !(d.requestsPerMinute > 0)) throw new Error(`deployment "${d.name}": limits must be positive`);
  }
}

/**
 * A model's maximum output tokens, from Microsoft's Azure OpenAI model tables ("Max
 * output tokens": gpt-4o-mini 2024-07-18 and gpt-4o 2024-11-20 16,384; the gpt-4.1
 * family 2025-04-14 32,768; gpt-35-turbo 0125 4,096). A completion stops there with
 * `finish_reason: "length"`, which also bounds what one simulated stream can cost.
 */
const MAX_OUTPUT_TOKENS: Array<[RegExp, number]> = [
  [/^gpt-(35|3\.5)/, 4_096],
  [/^gpt-4\.1/, 32_768],
  [/^gpt-4o/, 16_384],
];

/** Unknown models get gpt-4o's figure. */
export function maxOutputTokens(model: string): number {
  const m = model.toLowerCase();
  for (const [pattern, limit] of MAX_OUTPUT_TOKENS) if (pattern.test(m)) return limit;
  return 16_384;
}

/** Shaped like the recorded `azureml-model-session` (`d20260821091301-e6adfbb2`), stable per model. */
export function modelSession(model: string): string {
  return "d20260821091301-" + createHash("sha256").update("session\n" + model).digest("hex").slice(0, 8);
}

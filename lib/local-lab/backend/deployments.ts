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

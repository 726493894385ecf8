/**
 * Element name to policy module: the lab's subset of APIM's policy reference (README,
 * "Policies"). An element not listed here is refused when the document loads.
 */
import type { PolicyModule } from "./types";
import { setHeader } from "./elements/set-header";
import { setVariable } from "./elements/set-variable";
import { choose } from "./elements/choose";
import { setBackendService } from "./elements/set-backend-service";
import { authenticationManagedIdentity } from "./elements/authentication-managed-identity";
import { forwardRequestModule } from "./elements/forward-request";
import { returnResponse } from "./elements/return-response";
import { setStatus } from "./elements/set-status";
import { setBody } from "./elements/set-body";
import { validateContent } from "./elements/validate-content";
import { rateLimit } from "./elements/rate-limit";
import { tokenLimit } from "./elements/token-limit";
import { emitTokenMetric } from "./elements/emit-token-metric";
import { logToEventhub } from "./elements/log-to-eventhub";

const MODULES: readonly PolicyModule[] = [
  setHeader,
  setVariable,
  choose,
  setBackendService,
  authenticationManagedIdentity,
  forwardRequestModule,
  returnResponse,
  setStatus,
  setBody,
  validateContent,
  rateLimit,
  tokenLimit,
  emitTokenMetric,
  logToEventhub,
];

const byName = new Map<string, PolicyModule>();
for (const m of MODULES) for (const name of m.names) byName.set(name, m);

export function moduleFor(name: string): PolicyModule | undefined {
  return byName.get(name);
}

/** Every element name the lab runs, for the README's table and its test. */
export function supportedElements(): string[] {
  return [...byName.keys()];
}

/**
 * The shapes Azure answers in, written once: the local lab writes them and the lab's
 * client reads them, so both sides agree on every field.
 *
 * - An APIM request trace, as the management API's `listTrace` returns it.
 * - A lab deployment's outputs, as ARM returns them for the lab's Bicep template.
 */

/** The policy sections of an APIM trace. */
export type TraceSectionName = "inbound" | "backend" | "outbound" | "on-error";

/** APIM's section order: the order a request lives through them, and the order of keys in `traceEntries`. */
export const TRACE_SECTIONS: readonly TraceSectionName[] = ["inbound", "backend", "outbound", "on-error"];

export interface TraceEntry {
  /** The policy or component that wrote the entry, e.g. `forward-request`. */
  source: string;
  /** ISO 8601 UTC with 7 fractional digits. */
  timestamp: string;
  /** .NET TimeSpan since the gateway received the request, e.g. `00:00:00.0012345`. */
  elapsed: string;
  data: unknown;
}

export interface TraceDocument {
  serviceName: string;
  traceId: string;
  /** By section, in APIM's order; empty sections are left out, as in real traces. */
  traceEntries: Partial<Record<TraceSectionName, TraceEntry[]>>;
}

/** The outputs of the lab's deployment that the notebook reads. */
export interface DeploymentOutputs {
  apimServiceId: string;
  apimSubscriptionKey: string;
  apimResourceGatewayURL: string;
}

/**
 * The one place where a request's own options are worked out from its `x-lab-*`
 * headers, on top of the lab's: timing (`x-lab-timing`) and faults (`x-lab-fault`).
 */
import { badRequest, type AzureErrorAnswer } from "./errors";
import { FAULT_HEADER, parseFault, type Fault } from "./faults";
import { mergeTiming, parseTimingHeader, TIMING_HEADER } from "./timing";
import type { TimingOptions } from "./types";

export interface RequestOptions {
  timing: TimingOptions;
  /** The request's fault if it sent the header (`none` clears the lab's), else the lab's. */
  fault: Fault;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const raw = headers[name];
  return Array.isArray(raw) ? raw.join(";") : raw;
}

export function resolveRequestOptions(
  headers: Record<string, string | string[] | undefined>,
  labTiming: Partial<TimingOptions> | undefined,
  labFault: Fault = {},
): RequestOptions | AzureErrorAnswer {
  const value = headerValue(headers, TIMING_HEADER);
  let perRequest: Partial<TimingOptions> | undefined;
  if (value !== undefined) {
    try {
      perRequest = parseTimingHeader(value);
    } catch (err) {
      return { ...badRequest((err as Error).message), code: "InvalidLabTiming" };
    }
  }
  let fault = labFault;
  const faultText = headerValue(headers, FAULT_HEADER);
  if (faultText !== undefined) {
    try {
      fault = parseFault(faultText);
    } catch (err) {
      return { ...badRequest((err as Error).message), code: "InvalidLabFault" };
    }
  }
  return { timing: mergeTiming(labTiming, perRequest), fault };
}

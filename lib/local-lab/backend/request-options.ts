/**
 * The one place where a request's own options are worked out from its `x-lab-*`
 * headers, on top of the lab's. Fault injection (`x-lab-fault`) will join here.
 */
import { badRequest, type LabError } from "./errors";
import { mergeTiming, parseTimingHeader, TIMING_HEADER } from "./timing";
import type { TimingOptions } from "./types";

export interface RequestOptions {
  timing: TimingOptions;
}

export function resolveRequestOptions(
  headers: Record<string, string | string[] | undefined>,
  labTiming: Partial<TimingOptions> | undefined,
): RequestOptions | LabError {
  const raw = headers[TIMING_HEADER];
  const value = Array.isArray(raw) ? raw.join(";") : raw;
  let perRequest: Partial<TimingOptions> | undefined;
  if (value !== undefined) {
    try {
      perRequest = parseTimingHeader(value);
    } catch (err) {
      return { ...badRequest((err as Error).message), code: "InvalidLabTiming" };
    }
  }
  return { timing: mergeTiming(labTiming, perRequest) };
}

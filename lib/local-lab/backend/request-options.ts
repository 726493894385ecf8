/**
 * The one place where a request's own options are worked out from its `x-lab-*`
 * headers, on top of the lab's: timing (`x-lab-timing`), faults (`x-lab-fault`) and the
 * content filter's streaming mode (`x-lab-content-filter`).
 */
import { CONTENT_FILTER_HEADER, DEFAULT_CONTENT_FILTER, parseContentFilter } from "./content-filter";
import { badRequest, type AzureErrorAnswer } from "./errors";
import { FAULT_HEADER, parseFault, type Fault } from "./faults";
import { mergeTiming, parseTimingHeader, TIMING_HEADER } from "./timing";
import type { ContentFilterMode, TimingOptions } from "./types";

export interface RequestOptions {
  timing: TimingOptions;
  /** The request's fault if it sent the header (`none` clears the lab's), else the lab's. */
  fault: Fault;
  /** The request's header if it sent one, else the lab's mode. */
  contentFilter: ContentFilterMode;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const raw = headers[name];
  return Array.isArray(raw) ? raw.join(";") : raw;
}

export function resolveRequestOptions(
  headers: Record<string, string | string[] | undefined>,
  labTiming: Partial<TimingOptions> | undefined,
  labFault: Fault = {},
  labFilter: ContentFilterMode = DEFAULT_CONTENT_FILTER,
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
  let contentFilter = labFilter;
  const filterText = headerValue(headers, CONTENT_FILTER_HEADER);
  if (filterText !== undefined) {
    try {
      contentFilter = parseContentFilter(filterText);
    } catch (err) {
      return { ...badRequest((err as Error).message), code: "InvalidLabContentFilter" };
    }
  }
  return { timing: mergeTiming(labTiming, perRequest), fault, contentFilter };
}

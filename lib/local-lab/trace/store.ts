/**
 * Finished traces, kept in memory for `listTrace`. Bounded: when full, the oldest
 * trace is dropped, so a long-running lab cannot grow without limit.
 *
 * A trace enters the store only when its request has finished (for a stream: when the
 * last byte went to the caller, or the call failed). Until then `get` finds nothing and
 * `listTrace` answers 404, as APIM does for a trace it has not written yet; callers retry.
 */
import type { TraceDocument } from "../../schema";

export interface TraceStore {
  put(trace: TraceDocument): void;
  get(traceId: string): TraceDocument | undefined;
  size(): number;
}

export const DEFAULT_TRACE_CAPACITY = 200;

export function createTraceStore(capacity: number = DEFAULT_TRACE_CAPACITY): TraceStore {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("trace store capacity must be a positive integer");
  // A Map iterates in insertion order, so its first key is always the oldest trace.
  const traces = new Map<string, TraceDocument>();
  return {
    put(trace) {
      traces.delete(trace.traceId);
      traces.set(trace.traceId, trace);
      while (traces.size > capacity) {
        const oldest = traces.keys().next().value as string;
        traces.delete(oldest);
      }
    },
    get: (traceId) => traces.get(traceId),
    size: () => traces.size,
  };
}

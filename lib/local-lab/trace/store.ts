/**
 * Finished traces, kept in memory for `listTrace`. Bounded twice: at most `capacity`
 * traces and at most `maxBytes` bytes of them (as JSON, the form `listTrace` sends); over
 * either, the oldest traces are dropped first, so a long-running lab cannot grow without
 * limit. Each trace's own values are bounded when recorded (./bounds), so a trace is small
 * (a few KB to tens of KB); one larger than the whole budget is not kept.
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
  /** Bytes held, as JSON. */
  bytes(): number;
}

export const DEFAULT_TRACE_CAPACITY = 200;
/** 16 MiB of traces as JSON. */
export const DEFAULT_TRACE_BYTES = 16 * 1024 * 1024;

export function createTraceStore(capacity: number = DEFAULT_TRACE_CAPACITY, maxBytes: number = DEFAULT_TRACE_BYTES): TraceStore {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("trace store capacity must be a positive integer");
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError("trace store byte budget must be a positive integer");
  // A Map iterates in insertion order, so its first key is always the oldest trace.
  const traces = new Map<string, { trace: TraceDocument; bytes: number }>();
  let total = 0;
  const drop = (traceId: string) => {
    const held = traces.get(traceId);
    if (held === undefined) return;
    total -= held.bytes;
    traces.delete(traceId);
  };
  return {
    put(trace) {
      drop(trace.traceId);
      // Traced calls are rare (a debug token each), so measuring each as JSON is affordable.
      const bytes = Buffer.byteLength(JSON.stringify(trace));
      traces.set(trace.traceId, { trace, bytes });
      total += bytes;
      while (traces.size > capacity || total > maxBytes) drop(traces.keys().next().value as string);
    },
    get: (traceId) => traces.get(traceId)?.trace,
    size: () => traces.size,
    bytes: () => total,
  };
}

/**
 * The trace document that `listTrace` returns, and the recorder each gateway request
 * writes into. Sections keep APIM's order; empty sections are left out, as in real traces.
 */
import { startClock, type TraceTime } from "./time";

export type TraceSection = "inbound" | "backend" | "outbound" | "on-error";

/** APIM's section order: the order keys appear in `traceEntries`. */
export const TRACE_SECTIONS: readonly TraceSection[] = ["inbound", "backend", "outbound", "on-error"];

export interface TraceEntry {
  source: string;
  timestamp: string;
  elapsed: string;
  data: unknown;
}

export interface TraceDocument {
  serviceName: string;
  traceId: string;
  traceEntries: Partial<Record<TraceSection, TraceEntry[]>>;
}

export interface TraceRecorder {
  /** Empty string when the request is not traced. */
  readonly traceId: string;
  /**
   * False for untraced calls (nearly all of them): the stages test it before building an
   * entry, so an untraced call builds no entry objects, header lists or timestamps.
   */
  readonly enabled: boolean;
  add(section: TraceSection, source: string, data: unknown): void;
  /** The document so far, sections in APIM's order. */
  document(): TraceDocument;
}

export function createTraceRecorder(
  serviceName: string,
  traceId: string,
  clock: () => TraceTime = startClock(),
): TraceRecorder {
  const sections = new Map<TraceSection, TraceEntry[]>();
  return {
    traceId,
    enabled: true,
    add(section, source, data) {
      const list = sections.get(section) ?? [];
      list.push({ source, ...clock(), data });
      sections.set(section, list);
    },
    document() {
      const traceEntries: Partial<Record<TraceSection, TraceEntry[]>> = {};
      for (const name of TRACE_SECTIONS) {
        const list = sections.get(name);
        if (list && list.length > 0) traceEntries[name] = list.slice();
      }
      return { serviceName, traceId, traceEntries };
    },
  };
}

/** For requests without a valid debug token: the stages record, nothing is kept. */
export const NO_TRACE: TraceRecorder = {
  traceId: "",
  enabled: false,
  add() {},
  document() {
    return { serviceName: "", traceId: "", traceEntries: {} };
  },
};

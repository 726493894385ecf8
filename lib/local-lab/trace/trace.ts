/**
 * The recorder each gateway request writes its trace into (the document's shape is in
 * lib/schema). Sections keep APIM's order; empty sections are left out, as in real traces.
 */
import { startClock, type TraceTime } from "./time";
import { TRACE_SECTIONS, type TraceDocument, type TraceEntry, type TraceSectionName } from "../../schema";

export interface TraceRecorder {
  /** Empty string when the request is not traced. */
  readonly traceId: string;
  /**
   * False for untraced calls (nearly all of them): the stages test it before building an
   * entry, so an untraced call builds no entry objects, header lists or timestamps.
   */
  readonly enabled: boolean;
  add(section: TraceSectionName, source: string, data: unknown): void;
  /** The document so far, sections in APIM's order. */
  document(): TraceDocument;
}

export function createTraceRecorder(
  serviceName: string,
  traceId: string,
  clock: () => TraceTime = startClock(),
): TraceRecorder {
  const sections = new Map<TraceSectionName, TraceEntry[]>();
  return {
    traceId,
    enabled: true,
    add(section, source, data) {
      const list = sections.get(section) ?? [];
      list.push({ source, ...clock(), data });
      sections.set(section, list);
    },
    document() {
      const traceEntries: Partial<Record<TraceSectionName, TraceEntry[]>> = {};
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

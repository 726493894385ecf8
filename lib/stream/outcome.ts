/**
 * How a stream ended, in one line: complete, or incomplete with how much was kept and
 * why. Read from the kinds the reader gave each event, and from what stopped it.
 */
import { describeError } from "../errors";
import { mask } from "../report/mask";
import type { StreamRecord } from "./record";
import { endMarker } from "./responses";
import type { StreamResult } from "./readers";
import { summarizeStream } from "./summary";

/** What went wrong inside a stream, read from its record. */
export interface StreamProblems {
  /** The first error event's code and message. */
  errorEvent?: string;
  /** Events whose data was neither JSON nor `[DONE]`. */
  malformedEvents: number;
}

export function streamProblems(record: StreamRecord): StreamProblems {
  const errorEvent = record.events.find((e) => e.kind === "error");
  return { errorEvent: errorEvent?.message, malformedEvents: record.events.filter((e) => e.kind === "malformed").length };
}

/** Complete; or incomplete, with what was kept and why (a cut connection, an error event). */
export function streamOutcome(result: Pick<StreamResult, "record" | "error">): string {
  const { record, error } = result;
  const { chunks, contentChunks: content } = summarizeStream(record);
  const problems = streamProblems(record);
  const end = endMarker(record);
  const bad = problems.malformedEvents > 0 ? `, ${problems.malformedEvents} not valid JSON (kept as text)` : "";
  if (record.done && error === undefined) {
    return mask(`${bad ? "⚠" : "✔"} stream complete: ${chunks} chunks (${content} with content)${bad}, ${end} seen`);
  }
  if (chunks === 0 && !record.done) {
    // Nothing arrived: the error is the whole story (an error status, a refused connection).
    return mask(error !== undefined ? `✖ ${describeError(error)}` : `✖ no stream: the body ended without ${end}`);
  }
  const why =
    error !== undefined
      ? describeError(error)
      : problems.errorEvent !== undefined
        ? `an error event in the stream: ${problems.errorEvent}`
        : `the body ended without ${end}`;
  return mask(`✖ stream incomplete: ${chunks} chunks kept (${content} with content)${bad}, no ${end}: ${why}`);
}

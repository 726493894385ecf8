/**
 * How a stream ended, in one line: complete, or incomplete with how much was kept and
 * why. Read from the kinds the reader gave each event, and from what stopped it.
 */
import { describeError } from "../errors";
import { mask } from "../report/mask";
import type { StreamRecord } from "./record";
import { endMarker, isResponsesRecord } from "./responses";
import type { StreamResult } from "./readers";
import { summarizeStream } from "./summary";

/** What went wrong inside a stream, read from its record. */
export interface StreamProblems {
  /** The first error event's code and message. */
  errorEvent?: string;
  /** Events whose data was neither JSON nor `[DONE]`. */
  malformedEvents: number;
  /**
   * Why the content filter did not run, when it did not: its own error on a chunk, or
   * no prompt-filter chunk at all (recorded together in 2026; also what an
   * OpenAI-compatible server sends, which has no filter).
   */
  filterNotRun?: string;
  /** The content filter stopped the completion (`finish_reason: "content_filter"`). */
  filtered: boolean;
}

export function streamProblems(record: StreamRecord): StreamProblems {
  const errorEvent = record.events.find((e) => e.kind === "error");
  const filterError = record.events.find((e) => e.filterError !== undefined)?.filterError;
  const replied = record.events.some((e) => e.kind === "content" || e.kind === "finish");
  // Only chat completions open with a prompt-filter chunk; the Responses API reports its
  // filter results inside the response objects.
  const promptFiltered = isResponsesRecord(record) || record.events.some((e) => e.kind === "prompt-filter");
  return {
    errorEvent: errorEvent?.message,
    malformedEvents: record.events.filter((e) => e.kind === "malformed").length,
    filterNotRun: filterError ?? (replied && !promptFiltered ? "no prompt-filter chunk" : undefined),
    filtered: record.events.some((e) => e.finishReason === "content_filter"),
  };
}

/** A message with CR or LF inside (a server's, an exception's) still makes one line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ");
}

/** Complete; or incomplete, with what was kept and why (a cut connection, an error event). */
export function streamOutcome(result: Pick<StreamResult, "record" | "error">): string {
  return oneLine(outcomeText(result));
}

function outcomeText(result: Pick<StreamResult, "record" | "error">): string {
  const { record, error } = result;
  const { chunks, contentChunks: content } = summarizeStream(record);
  const problems = streamProblems(record);
  const end = endMarker(record);
  const bad = problems.malformedEvents > 0 ? `, ${problems.malformedEvents} not valid JSON (kept as text)` : "";
  const unfiltered = problems.filterNotRun !== undefined ? `; content filtering did not run (${problems.filterNotRun})` : "";
  if (record.done && error === undefined && problems.filtered) {
    return mask(`✖ stopped by the content filter: ${chunks} chunks (${content} with content)${bad}, finish_reason "content_filter", [DONE] seen`);
  }
  if (record.done && error === undefined) {
    return mask(`${bad || unfiltered ? "⚠" : "✔"} stream complete: ${chunks} chunks (${content} with content)${bad}, ${end} seen${unfiltered}`);
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

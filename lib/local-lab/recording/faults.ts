/**
 * The lab's fault injection (`x-lab-fault`, `--fault`) on a replay, so a workshop's
 * failure steps work offline too: a status fault (429, 500, 503) answers at once, as on
 * the simulator; `drop-after=N` cuts the recorded stream where its N-th event ends. The
 * faults that change what the model sends (error-event-after, malformed-after,
 * slow-first-token) would change the recording: a replay refuses them.
 */
import { badRequest, type AzureErrorAnswer } from "../backend/errors";
import { FAULT_HEADER, parseFault, type Fault } from "../backend/faults";
import type { Recording } from "./format";

export function requestFault(headers: Record<string, string | string[] | undefined>, labFault: Fault): Fault | AzureErrorAnswer {
  const raw = headers[FAULT_HEADER];
  let fault = labFault;
  if (raw !== undefined) {
    try {
      fault = parseFault(Array.isArray(raw) ? raw.join(";") : raw);
    } catch (err) {
      return { ...badRequest((err as Error).message), code: "InvalidLabFault" };
    }
  }
  if (fault.firstTokenMs !== undefined || (fault.stream && fault.stream.kind !== "drop")) {
    return { ...badRequest(`${FAULT_HEADER}: a replay plays what was recorded; of the faults it takes 429, 500, 503 and drop-after=<n>`), code: "InvalidLabFault" };
  }
  return fault;
}

const LF = 0x0a;

/** The recording up to the end of its `events`-th event, then cut (0: right after the headers). */
export function dropAfter(recording: Recording, events: number): Recording {
  const reads: Recording["reads"] = [];
  let seen = 0;
  let cutMs = recording.response.ms;
  // An event ends at a blank line ("\n\n"), whose two bytes may come in two reads.
  let previous = 0;
  for (const read of recording.reads) {
    if (seen >= events) break;
    let end = -1;
    for (let j = 0; j < read.bytes.length && seen < events; j++) {
      const byte = read.bytes[j];
      if (byte === LF && previous === LF) {
        seen++;
        end = j + 1;
        previous = 0;
      } else previous = byte;
    }
    reads.push(seen >= events ? { ms: read.ms, bytes: read.bytes.subarray(0, end) } : read);
    cutMs = read.ms;
  }
  if (seen < events) return recording; // fewer events than that: it ends as recorded
  return { ...recording, reads, end: { ms: cutMs, how: "cut" } };
}

/**
 * Fault injection: what goes wrong in a workshop (quotas, outages, a slow model, a
 * stream cut halfway), on demand, per lab or per request with the `x-lab-fault` header.
 * Parsing and applying are pure: the server only turns the result into bytes and timers.
 *
 *   x-lab-fault: 429 | 429=<seconds> | 500 | 503
 *              | slow-first-token=<ms> | drop-after=<n> | error-event-after=<n> | malformed-after=<n>
 *              | none
 *
 * Items combine with `;` (`slow-first-token=2000; drop-after=10`): at most one status
 * fault and at most one stream fault. `n` counts the events sent before the fault,
 * from the prompt-filter chunk on; a reply shorter than that is cut just before `[DONE]`.
 */
import { rateLimited, type AzureErrorAnswer } from "./errors";
import { sseEvent } from "./chunks";
import type { TimedWrite } from "./delivery";

export const FAULT_HEADER = "x-lab-fault";

export interface Fault {
  /** Answer with this error instead of a completion. */
  status?: 429 | 500 | 503;
  /** retry-after of an injected 429, in seconds. */
  retryAfterSeconds?: number;
  /** The first event (and with it the headers) is due this many ms after the request. */
  firstTokenMs?: number;
  /** Streamed replies only: what happens after `after` events. */
  stream?: { kind: "drop" | "error-event" | "malformed"; after: number };
}

/** An injected 429's retry-after when the header does not give one. */
export const DEFAULT_RETRY_AFTER_SECONDS = 10;

const STREAM_KINDS: Record<string, "drop" | "error-event" | "malformed"> = {
  "drop-after": "drop",
  "error-event-after": "error-event",
  "malformed-after": "malformed",
};

const GRAMMAR = "429[=<seconds>], 500, 503, slow-first-token=<ms>, drop-after=<n>, error-event-after=<n>, malformed-after=<n> or none";

/** Reads the header's grammar; throws an Error whose message names the bad item and the grammar. */
export function parseFault(value: string): Fault {
  const out: Fault = {};
  for (const part of value.split(";")) {
    const item = part.trim().toLowerCase();
    if (item === "" || item === "none") continue;
    const eq = item.indexOf("=");
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const raw = eq < 0 ? undefined : item.slice(eq + 1).trim();
    const integer = (min: number, max: number): number => {
      if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
        throw new Error(`${FAULT_HEADER}: "${key}" needs a whole number from ${min} to ${max}, got "${raw ?? ""}"`);
      }
      return Number(raw);
    };
    if (key === "429" || key === "500" || key === "503") {
      if (out.status !== undefined) throw new Error(`${FAULT_HEADER}: only one of 429, 500, 503 at a time`);
      out.status = Number(key) as 429 | 500 | 503;
      if (key === "429") out.retryAfterSeconds = raw === undefined ? DEFAULT_RETRY_AFTER_SECONDS : integer(1, 3600);
      else if (raw !== undefined) throw new Error(`${FAULT_HEADER}: "${key}" takes no value`);
    } else if (key === "slow-first-token") {
      out.firstTokenMs = integer(0, 600_000);
    } else if (STREAM_KINDS[key]) {
      if (out.stream) throw new Error(`${FAULT_HEADER}: only one of drop-after, error-event-after, malformed-after at a time`);
      out.stream = { kind: STREAM_KINDS[key], after: integer(0, 100_000) };
    } else {
      throw new Error(`${FAULT_HEADER}: unknown fault "${part.trim()}"; expected ${GRAMMAR}`);
    }
  }
  return out;
}

/** The error an injected status fault answers with, in Azure's words. */
export function faultError(fault: Fault, apiVersion: string, operation?: string): AzureErrorAnswer | undefined {
  switch (fault.status) {
    case 429:
      return rateLimited("call", apiVersion, fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS, operation);
    case 500:
      return {
        status: 500,
        code: "InternalServerError",
        message: "The server had an error while processing your request. Sorry about that! You can retry your request, or contact Azure support if the error persists.",
      };
    case 503:
      return {
        status: 503,
        code: "ServiceUnavailable",
        message: "The service is temporarily unable to process your request. Please try again later.",
      };
    default:
      return undefined;
  }
}

/** What a mid-stream failure sends: OpenAI clients throw on a `data:` event with an `error` key. */
export const STREAM_ERROR = {
  error: {
    code: "InternalServerError",
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
  },
};

/**
 * The planned writes with the fault applied: shifted so the first comes at
 * `firstTokenMs`, then cut, broken or ended early after `after` events. `[DONE]` is
 * never sent by a stream fault.
 */
export function applyFault(writes: TimedWrite[], fault: Fault, streamed: boolean): TimedWrite[] {
  // Most calls have no fault: the plan is delivered as it is, not copied.
  if (fault.firstTokenMs === undefined && !(streamed && fault.stream)) return writes;
  let out: TimedWrite[] = writes.map((w) => ({ atMs: w.atMs, data: w.data }));
  if (fault.firstTokenMs !== undefined && out.length > 0) {
    const shift = fault.firstTokenMs - out[0].atMs;
    out = out.map((w) => ({ ...w, atMs: Math.max(0, w.atMs + shift) }));
  }
  const s = fault.stream;
  if (!streamed || !s) return out;
  // Events before [DONE]; the fault takes the place of event `after` (0-based).
  const events = out.filter((w) => w.data !== sseEvent("[DONE]"));
  const at = Math.min(s.after, events.length);
  const kept = events.slice(0, at);
  const dueMs = at < events.length ? events[at].atMs : events.length > 0 ? events[events.length - 1].atMs : 0;
  if (s.kind === "drop") return [...kept, { atMs: dueMs, data: "", cut: true }];
  if (s.kind === "error-event") return [...kept, { atMs: dueMs, data: sseEvent(STREAM_ERROR) }];
  // malformed: the event in that place arrives truncated (not JSON); the rest follows, [DONE] included.
  const original = at < events.length ? events[at].data : `data: {"choices":[{"delta":{"content":"x"}}]}\n\n`;
  const broken = typeof original === "string" ? original : original();
  const truncated = `${broken.slice(0, Math.max(7, Math.floor(broken.length / 2)))}\n\n`;
  const rest = out.slice(at < events.length ? at + 1 : at);
  return [...kept, { atMs: dueMs, data: truncated }, ...rest];
}

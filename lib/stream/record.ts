/**
 * What a client saw of one streamed call: when the headers came, and when each
 * server-sent event arrived, with its kind. Times are milliseconds since the request
 * was sent. The stream readers fill it in; summaries, charts and tests read it.
 */
export interface StreamRecord {
  /** Short name for tables and chart legends, e.g. "raw HTTP" or "buffered". */
  label: string;
  /** Time to response headers; NaN when the call failed before any. */
  headersMs: number;
  /** Every event and comment, in arrival order. */
  events: StreamEvent[];
  /** When the body ended (or was cut). */
  endMs: number;
  /** True when the stream ended as it should: `[DONE]` arrived, or the SDK's loop ended without a throw. */
  done: boolean;
}

/**
 * What an event is, decided once, when it is read (lib/stream/events.ts):
 * - `prompt-filter`: Azure's first chunk, the prompt's content filter results;
 * - `role`: the first delta, `{"content": "", "refusal": null, "role": "assistant"}`;
 * - `content`: a delta with text;
 * - `finish`: the chunk with `finish_reason` (its delta is `{}`);
 * - `usage`: the chunk with empty `choices` and token usage;
 * - `annotation`: Azure's asynchronous content filter reporting on text already sent;
 * - `error`: a data event whose JSON has an `error` key;
 * - `done`: `[DONE]`;
 * - `comment`: a comment line, e.g. a proxy's `: keep-alive`;
 * - `malformed`: data that is not JSON;
 * - `other`: JSON that is none of the above.
 */
export type EventKind =
  | "prompt-filter"
  | "role"
  | "content"
  | "finish"
  | "usage"
  | "annotation"
  | "error"
  | "done"
  | "comment"
  | "malformed"
  | "other";

export interface StreamEvent {
  /** Arrival time of the network read that completed this event. */
  ms: number;
  kind: EventKind;
  /** The event's data field as sent (a comment's text); absent for chunks the SDK parsed. */
  data?: string;
  /** UTF-8 size of `data`. */
  bytes?: number;
  /** The `event:` field, when the server named the event. */
  event?: string;
  /** The `id:` field, when the server sent one. */
  id?: string;
  /** The delta's text (`content` events only; never empty). */
  content?: string;
  /** The error's code and message (`error` events). */
  message?: string;
  /** `stop`, `length`, `content_filter`... (`finish` events). */
  finishReason?: string;
  /** Token usage, on the chunk that carried it. */
  usage?: TokenUsage;
  /**
   * The content filter's own error on this chunk ("content_filter_error: The contents are
   * not filtered"): the filter did not run, the text came through unchecked.
   */
  filterError?: string;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The text a stream carried, joined. */
export function replyText(record: StreamRecord): string {
  return record.events.map((e) => e.content ?? "").join("");
}

/** The token usage the stream carried, if it did (the last chunk with usage). */
export function usageOf(record: StreamRecord): TokenUsage | undefined {
  for (let i = record.events.length - 1; i >= 0; i--) if (record.events[i].usage) return record.events[i].usage;
  return undefined;
}

/**
 * What a client saw of one streamed call: when the headers came, and when each
 * server-sent event arrived. Times are milliseconds since the request was sent.
 * The stream readers fill it in; summaries, charts and tests read it.
 */
export interface StreamRecord {
  /** Short name for tables and chart legends, e.g. "raw HTTP" or "buffered". */
  label: string;
  /** Time to response headers. */
  headersMs: number;
  /** One entry per `data:` event, in arrival order. */
  events: StreamEvent[];
  /** When the body ended (or was cut). */
  endMs: number;
  /** True when `data: [DONE]` arrived. */
  done: boolean;
  /** Token usage, when the stream carried a usage chunk. */
  usage?: TokenUsage;
}

export interface StreamEvent {
  /** Arrival time of the network chunk that completed this event. */
  ms: number;
  /** The event's `data` field as sent (JSON text, or `[DONE]`). */
  data: string;
  /** The delta text this event carried, if any (empty string counts as none). */
  content?: string;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

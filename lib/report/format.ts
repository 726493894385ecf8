import type { StreamEvent } from "../stream/record";

/** Milliseconds as the lab prints them everywhere: whole numbers, right-aligned. */
export function formatMs(ms: number, width = 6): string {
  return `${Math.round(ms)}`.padStart(width) + " ms";
}

/**
 * An event as it was sent, a line a field (`event:`, `id:`, each `data:` line), a
 * comment as `: text`. A chunk the SDK parsed has no text left: its kind stands in.
 */
export function formatEvent(event: StreamEvent): string {
  if (event.data === undefined) return `(${event.kind})`;
  if (event.kind === "comment") return `: ${event.data}`;
  const lines: string[] = [];
  if (event.event !== undefined) lines.push(`event: ${event.event}`);
  if (event.id !== undefined) lines.push(`id: ${event.id}`);
  for (const line of event.data.split("\n")) lines.push(`data: ${line}`);
  return lines.join("\n");
}

/** The widest event row: the classic Notebook's output area has 114 columns (issue 19). */
export const EVENT_ROW_WIDTH = 110;

/** The column heads of `eventRow`. */
export const EVENT_ROW_HEADER = `${"time".padStart(9)}  ${"kind".padEnd(13)} ${"bytes".padStart(7)}  delta text`;

/** What an event carries, in a few words: the delta's text (quoted, so spaces show), or its kind's gist. */
function gist(event: StreamEvent): string {
  switch (event.kind) {
    case "content":
      return JSON.stringify(event.content ?? "");
    case "finish":
      return `finish_reason: ${event.finishReason ?? "?"}`;
    case "usage":
      return event.usage ? `tokens: ${event.usage.prompt_tokens} + ${event.usage.completion_tokens} = ${event.usage.total_tokens}` : "usage";
    case "error":
      return event.message ?? "error";
    case "prompt-filter":
      return "content filter results for the prompt";
    case "annotation":
      return "content filter results for text already sent";
    case "role":
      return "the assistant's role, no text";
    case "done":
      return "[DONE]";
    default:
      return (event.data ?? "").replace(/\s+/g, " ");
  }
}

/**
 * One short row for an event as it arrives: arrival time, kind, size of its data and what
 * it carries, at most `EVENT_ROW_WIDTH` columns (the rest of a long delta is cut with …).
 */
export function eventRow(event: StreamEvent): string {
  const bytes = event.bytes === undefined ? "" : `${event.bytes} B`;
  // A named event (the Responses API's) goes by its name, without the common `response.`.
  const name = event.event !== undefined ? event.event.replace(/^response\./, "") : event.kind;
  const row = `${formatMs(event.ms)}  ${name.padEnd(13)} ${bytes.padStart(7)}  ${gist(event)}`;
  return row.length > EVENT_ROW_WIDTH ? row.slice(0, EVENT_ROW_WIDTH - 1) + "…" : row;
}

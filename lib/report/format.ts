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

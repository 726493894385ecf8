/**
 * The streamed steps' live view: one short row per event as it arrives, in one place.
 *
 * Printing every event's raw `data:` line (about 510 characters each) buried the lesson in
 * a notebook: 100 lines that wrap 5 times each, folded by Jupyter into a scroll box that
 * stays put while new lines pile up below it, with the chart 9,000 px down (issue 19). So:
 * - in a kernel, one display redrawn in place (update_display_data) that shows the latest
 *   `LIVE_ROWS` rows while the stream runs; at the end, all rows and the raw `data:` lines
 *   in full, each in a collapsed section below it. Its text/plain is every row so far (then
 *   the raw lines), so that a text-only front end and the headless runner lose nothing;
 * - in a terminal, each row printed as it arrives, and the raw lines at the end.
 * Redraws are at most one per `REDRAW_MS`: a burst of events is one redraw, not twenty.
 */
import type { StreamEvent } from "../stream/record";
import { liveDisplay } from "./display";
import { EVENT_ROW_HEADER, eventRow, formatEvent } from "./format";
import { breakableHtml, detailsHtml, escapeHtml, preHtml } from "./html";
import { mask } from "./mask";

/** Rows a live view shows: a short view that does not move while it runs. */
export const LIVE_ROWS = 10;
const REDRAW_MS = 50;

export interface LiveEvents {
  /** Shows an event: pass it as a stream reader's `onEvent`. */
  add(event: StreamEvent): void;
  /** The final view: the last rows, then all rows and the raw `data:` lines, collapsed. */
  end(): void;
}

/** The live view of one stream's events. */
export function liveEvents(): LiveEvents {
  const events: StreamEvent[] = [];
  const display = liveDisplay();
  let drawnAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const draw = (ended: boolean) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    drawnAt = performance.now();
    display?.show(liveHtml(events, ended), liveText(events, ended));
  };

  return {
    add(event) {
      events.push(event);
      if (!display) return console.log(eventRow(event));
      const wait = drawnAt + REDRAW_MS - performance.now();
      if (wait <= 0) draw(false);
      else if (timer === undefined) timer = setTimeout(() => draw(false), wait);
    },
    end() {
      if (display) return draw(true);
      const raw = rawLines(events);
      if (raw) console.log(`\nThe raw data: lines:\n${raw}`);
    },
  };
}

function rawLines(events: StreamEvent[]): string {
  return events.filter((e) => e.data !== undefined).map(formatEvent).join("\n");
}

/** The view as text: every row so far; at the end, the raw lines too. */
export function liveText(events: StreamEvent[], ended: boolean): string {
  const rows = [EVENT_ROW_HEADER, ...events.map(eventRow)].join("\n");
  const raw = ended ? rawLines(events) : "";
  return raw ? `${rows}\n\nThe raw data: lines:\n${raw}` : rows;
}

/** The view as HTML: the latest rows; at the end, everything else behind two disclosures. */
export function liveHtml(events: StreamEvent[], ended: boolean): string {
  const hidden = Math.max(0, events.length - LIVE_ROWS);
  const latest = events.slice(hidden).map(eventRow);
  const above = hidden ? [`${"…".padStart(9)}  (${hidden} earlier events${ended ? ", all of them below" : ""})`] : [];
  const status = ended ? `${events.length} events, stream ended` : `${events.length} events so far…`;
  let html = `<p>${escapeHtml(status)}</p>${preHtml([EVENT_ROW_HEADER, ...above, ...latest].join("\n"))}`;
  if (!ended) return html;
  if (hidden) html += detailsHtml(`All ${events.length} events, one row each`, preHtml([EVENT_ROW_HEADER, ...events.map(eventRow)].join("\n")));
  const raw = rawLines(events);
  if (raw) {
    const bytes = events.reduce((sum, e) => sum + (e.bytes ?? 0), 0);
    html += detailsHtml(`The raw data: lines in full (${bytes.toLocaleString("en-US")} bytes)`, `<pre>${breakableHtml(mask(raw))}</pre>`);
  }
  return html;
}

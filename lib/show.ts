/**
 * What the notebook's cells call to show a result: settings, a finished stream,
 * a trace, an error. Text in a terminal, rich output in a kernel; secrets masked.
 */
import { retryAfterSeconds, retryHint, type HeadersLike } from "./faults";
import { showHtml, showSvg, showText } from "./report/display";
import { mask } from "./report/mask";
import { textTable } from "./report/text-table";
import { escapeXml, renderTimeline } from "./report/timeline";
import { maskedTraceJson, traceTables, type TraceLike } from "./report/trace-view";
import { settingsRows, type Settings } from "./settings";
import type { StreamRecord } from "./stream/record";
import { compareFirstContent, summarizeStream, summaryTable } from "./stream/summary";

export function showSettings(settings: Settings): void {
  showText(textTable(["setting", "value"], settingsRows(settings)));
}

/** A failed call in one line: status and the service's own message; for a 429, when to retry. */
export function showHttpError(status: number, body: string, headers?: HeadersLike): void {
  showText(httpErrorLine(status, body, headers));
}

export function httpErrorLine(status: number, body: string, headers?: HeadersLike): string {
  const message = errorMessage(body);
  const wait = status === 429 ? retryHint(retryAfterSeconds(headers, message)) : "";
  return mask(`✖ HTTP ${status}: ${message}${wait}`);
}

/** The message inside an APIM (`{ statusCode, message }`) or Azure (`{ error: { code, message } }`) error body. */
export function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: { code?: string; message?: string } };
    if (parsed.error?.message) return `${parsed.error.code ? parsed.error.code + ": " : ""}${parsed.error.message}`;
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: show the start of the text
  }
  return body.replace(/\s+/g, " ").trim().slice(0, 300) || "(empty body)";
}

/** A finished stream: its arrival timeline (a chart in a kernel) and its summary table. */
export function showStream(...records: StreamRecord[]): void {
  const summaries = records.map(summarizeStream);
  const title = records.length === 1 ? `Arrivals: ${records[0].label}` : `Arrivals: ${records.map((r) => r.label).join(" vs ")}`;
  showSvg(renderTimeline(records, { title }), `[timeline chart: ${title}]`);
  showText(summaryTable(summaries));
  if (records.length === 2) showText(compareFirstContent(summaries[0], summaries[1]));
}

/** A trace as one table per section; the raw JSON (masked) folded away below it in a kernel. */
export function showTrace(trace: TraceLike): void {
  showText(traceTables(trace));
  const json = maskedTraceJson(trace);
  showHtml(
    `<details><summary>Raw trace JSON (secrets masked)</summary><pre>${escapeXml(json)}</pre></details>`,
    "(the raw trace JSON, masked, is in the notebook; or print maskedTraceJson(trace))",
  );
}

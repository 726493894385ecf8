/**
 * What the notebook's cells call to show a result: settings, a response's headers, a
 * finished stream and how it ended (a failed call stops the cell), a trace. Text in a
 * terminal, rich output in a kernel; secrets masked.
 */
import { ModelCallError, whatToDo } from "../errors";
import { settingsRows, type Settings } from "../settings";
import type { StreamRecord } from "../stream/record";
import { streamOutcome } from "../stream/outcome";
import type { ResponseHeaders, StreamResult } from "../stream/readers";
import { compareFirstContent, summarizeStream, summaryTableOf } from "../stream/summary";
import { showHtml, showSvg, showTables, showText } from "./display";
import { detailsHtml, preHtml } from "./html";
import { headersTableOf } from "./text-table";
import { renderTimeline } from "./timeline";
import { maskedTraceJson, traceTableList, type TraceLike } from "./trace-view";

export function showSettings(settings: Settings): void {
  showTables([{ header: ["setting", "value"], rows: settingsRows(settings) }]);
}

/**
 * A response's headers as the original lab prints them: the trace id (the trace step
 * needs it), every header in a table, the backend's region and the policy's
 * `x-ms-stream`.
 */
export function showResponseHeaders(headers: ResponseHeaders): void {
  showText(`Apim-Trace-Id: ${headers.get("Apim-Trace-Id")}`);
  const table = headersTableOf(headers);
  showTables([table], undefined, { collapsed: `All ${table.rows.length} response headers` });
  showText(`x-ms-region: ${headers.get("x-ms-region")}`); // the region of the backend that served the request
  showText(`x-ms-stream: ${headers.get("x-ms-stream")}`); // set by the gateway's policy: was the request streamed?
}

/**
 * How a stream ended, in one line: complete, cut (what arrived is kept), or the error that
 * stopped it. A call that did not complete stops the cell here, as a ModelCallError with
 * that line and what to do, so that a run stops at the step that failed; unless showing a
 * failure is what the cell is for (`failureExpected`, the appendix's 429 and cut stream).
 */
export function showStreamOutcome(result: Pick<StreamResult, "record" | "error">, options: { failureExpected?: boolean } = {}): void {
  const outcome = streamOutcome(result);
  const complete = result.record.done && result.error === undefined;
  if (complete || options.failureExpected) return showText(outcome);
  throw new ModelCallError(`${outcome.replace(/^✖\s*/, "")} (the run stops here: ${whatToDo(result.error)})`);
}

/** A finished stream: its arrival timeline (a chart in a kernel) and its summary table. */
export function showStream(...records: StreamRecord[]): void {
  const summaries = records.map(summarizeStream);
  const title = records.length === 1 ? `Arrivals: ${records[0].label}` : `Arrivals: ${records.map((r) => r.label).join(" vs ")}`;
  showSvg(renderTimeline(records, { title }), `[timeline chart: ${title}]`);
  showTables([summaryTableOf(summaries)]);
  if (records.length === 2) showText(compareFirstContent(summaries[0], summaries[1]));
}

/** A trace as one table per section; the raw JSON (masked) folded away below it in a kernel. */
export function showTrace(trace: TraceLike): void {
  const { heading, tables } = traceTableList(trace);
  showTables(tables, heading);
  showHtml(
    detailsHtml("Raw trace JSON (secrets masked): click to show", preHtml(maskedTraceJson(trace))),
    "(the raw trace JSON, masked, is in the notebook; or print maskedTraceJson(trace))",
  );
}

/**
 * What the notebook's cells call to show a result: settings, a finished stream,
 * a trace, an error. Text in a terminal, rich output in a kernel; secrets masked.
 */
import { showText } from "./report/display";
import { mask } from "./report/mask";
import { textTable } from "./report/table";
import { settingsRows, type Settings } from "./settings";
import type { ApimTrace } from "./management";

export function showSettings(settings: Settings): void {
  showText(textTable(["setting", "value"], settingsRows(settings)));
}

/** A failed call in one line: status and the service's own message. */
export function showHttpError(status: number, body: string): void {
  showText(`✖ HTTP ${status}: ${errorMessage(body)}`);
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

/** The trace as masked JSON (the trace tables come with the trace reader). */
export function showTrace(trace: ApimTrace): void {
  showText(JSON.stringify(mask(trace), null, 2));
}

/**
 * Everything the notebook's cells import, and nothing else (plus `maskedTraceJson`,
 * which the trace step names for the raw JSON in a terminal).
 */
export { loadSettings } from "./settings";
export { connect } from "./connect";
export { checkDebugHeaders } from "./management";
export { StreamRecorder, replyText } from "./stream/recorder";
export { mask } from "./report/mask";
export { formatMs } from "./report/format";
export { headersTable } from "./report/text-table";
export { maskedTraceJson } from "./report/trace-view";
export { showText, showMarkdown } from "./report/display";
export { showSettings, showHttpError, showStream, showTrace } from "./show";
export { showSdkError, readChatStream, readHttpStream, showStreamOutcome } from "./faults";

/** Everything the notebook's cells import, and nothing else. */
export { loadSettings, type Settings } from "./settings";
export { connect, closeSharedLocalLab } from "./connect";
export { ManagementClient, ManagementError, checkDebugHeaders, type DeploymentOutputs, type ApimTrace } from "./management";
export { timedLines } from "./stream/lines";
export { StreamRecorder, replyText } from "./stream/recorder";
export type { StreamRecord } from "./stream/record";
export { summarizeStream } from "./stream/summary";
export { mask } from "./report/mask";
export { formatMs } from "./report/format";
export { headersTable, textTable } from "./report/text-table";
export { maskedTraceJson } from "./report/trace-view";
export { showText, showMarkdown, showSvg } from "./report/display";
export { showSettings, showHttpError, showStream, showTrace, errorMessage } from "./show";
export { describeError, showSdkError, readChatStream, readHttpStream, streamOutcome, showStreamOutcome, retryAfterSeconds, type StreamResult } from "./faults";

/** Everything the notebook's cells import, and nothing else. */
export { loadSettings, type Settings } from "./settings";
export { connect, closeSharedLocalLab } from "./connect";
export { ManagementClient, ManagementError, checkDebugHeaders, type DeploymentOutputs, type ApimTrace } from "./management";
export { timedLines } from "./stream/lines";
export { StreamRecorder, replyText } from "./stream/recorder";
export type { StreamRecord } from "./stream/record";
export { mask } from "./report/mask";
export { formatMs } from "./report/format";
export { headersTable, textTable } from "./report/table";
export { showText, showMarkdown, showSvg } from "./report/display";
export { showSettings, showHttpError, showTrace, errorMessage } from "./show";

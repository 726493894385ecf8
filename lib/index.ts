/**
 * Everything the notebook's cells import, one way to do each thing, and nothing else
 * (plus `maskedTraceJson`, which the trace step names for the raw JSON in a terminal).
 */
export { loadSettings } from "./settings";
export { connect } from "./connect";
export { checkDebugHeaders } from "./management";
export { readHttpStream, readChatStream } from "./stream/readers";
export { replyText } from "./stream/record";
export { compareBursts, summarizeStream } from "./stream/summary";
export { wireDifferences } from "./stream/responses";
export { mask } from "./report/mask";
export { formatEvent, formatMs } from "./report/format";
export { maskedTraceJson } from "./report/trace-view";
export { showMarkdown, showTables, showText } from "./report/display";
export { liveEvents } from "./report/live";
export { showSettings, showResponseHeaders, showStream, showStreamOutcome, showTrace } from "./report/show";
export { runPolicyVariants, showPolicyLanes, showWhereToApply } from "./what-breaks-streaming";

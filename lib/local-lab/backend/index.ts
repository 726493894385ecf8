/**
 * The local lab's model backend: an Azure OpenAI chat-completions simulator that
 * streams like the real service, or a forwarder to a real endpoint.
 */
export type { BackendOptions, BackendServer, ContentFilterMode, DeploymentConfig, TimingOptions, UpstreamConfig } from "./types";
export { CONTENT_FILTER_HEADER, CONTENT_FILTER_MODES, DEFAULT_CONTENT_FILTER, parseContentFilter } from "./content-filter";
export { startBackend } from "./server";
export { ZERO_LATENCY, DEFAULT_TIMING, TIMING_HEADER, parseTimingHeader } from "./timing";
export { DEFAULT_DEPLOYMENTS } from "./deployments";
export { REPLY_SCRIPT_ENV } from "./reply-script";
export { FAULT_HEADER, parseFault, type Fault } from "./faults";

/**
 * The backend's public shapes. Other parts of the local lab (gateway, start, notebook)
 * build against these, so fields are only ever added, never renamed.
 */

export type ContentFilterMode = "default" | "asynchronous" | "none";

export interface DeploymentConfig {
  /** The deployment name in the URL: /openai/deployments/{name}/chat/completions. */
  name: string;
  /** The model behind it, e.g. "gpt-4o-mini"; picks the tokenizer. */
  model: string;
  tokensPerMinute: number;
  requestsPerMinute: number;
  /**
   * The model name as Azure reports it in responses ("gpt-4o-mini-2024-07-18").
   * Defaults to the versioned name of a known model, else `model`.
   */
  reportedModel?: string;
}

export interface TimingOptions {
  /** Mean time to first token, ms. */
  firstTokenMs: number;
  /** Mean inter-token latency, ms. */
  tokenMs: number;
  /** Relative spread 0..1: each delay is drawn uniformly from mean × (1 ± jitter). */
  jitter: number;
  /**
   * Tokens per SSE event. Azure sends about one token per event in every filter mode
   * (FIELD-NOTES §8), so 1 is the default; more is only a load knob for the benchmark
   * (fewer, bigger events), not how Azure's bursts look: those are `burstMs`.
   */
  tokensPerEvent: number;
  /**
   * Mean interval at which the default (synchronous) content filter releases the text
   * it held: recorded long answers came in bursts about 2 s apart (FIELD-NOTES §8).
   */
  burstMs: number;
  /** Seed of the PRNG behind the jitter: same request and seed, same delays. */
  seed: number;
}

export interface UpstreamConfig {
  /**
   * "azure": the resource endpoint (https://x.openai.azure.com); requests keep their
   * path and api-version. "openai": an OpenAI-compatible base URL ending before
   * /chat/completions (https://api.openai.com/v1, http://localhost:11434/v1).
   */
  url: string;
  apiKey?: string;
  kind: "azure" | "openai";
}

export interface BackendOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Sent as x-ms-region; default "Sweden Central". */
  region?: string;
  /** Default: gpt-4o-mini, gpt-4.1-mini, gpt-35-turbo with generous limits. */
  deployments?: DeploymentConfig[];
  /**
   * The deployment's content filter, as Azure streams it (see content-filter.ts):
   * "default" (synchronous, bursts), "asynchronous" (per token, annotation chunks) or
   * "none" (an OpenAI-compatible server). Default "default"; a request may override it
   * with the `x-lab-content-filter` header.
   */
  contentFilter?: ContentFilterMode;
  /** Lab-wide timing; a request may override it with the `x-lab-timing` header. */
  timing?: Partial<TimingOptions>;
  /** Path to a reply script (JSON, pattern -> reply); default env LAB_REPLY_SCRIPT. */
  replyScript?: string;
  /** Default: random per start. */
  apiKey?: string;
  /** Request bodies above this get 413; default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Faults for every request, in the `x-lab-fault` header's grammar ("429", "drop-after=20",
   * "slow-first-token=3000; error-event-after=5"); a request's own header replaces it.
   */
  fault?: string;
  /** How long a caller may take to send its headers (default 20 s) and its whole request (default 60 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Forward to a real endpoint instead of simulating. */
  upstream?: UpstreamConfig;
  /** With `upstream`: a folder to record each call's exchange to (README, "Recording and replaying a real stream"). */
  record?: string;
}

export interface BackendServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Accepted as `api-key` header or `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Generations (streamed or not) and upstream calls currently in progress. */
  activeStreams(): number;
  /** Closes the server and all connections, clears all timers. */
  close(): Promise<void>;
}

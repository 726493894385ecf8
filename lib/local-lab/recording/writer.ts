/**
 * Writes each upstream call's exchange to its own file (./format) as the call goes: the
 * request when it is sent, the response's status and headers, every read with its time.
 * Secrets are taken out (./scrub) as each line is made, so none is ever held for the disk.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { FORMAT, FORMAT_VERSION, MAX_RECORDING_BYTES, readLine, RECORDING_EXTENSION, round, type EndHow, type Removed } from "./format";
import { requestKey } from "./matcher";
import { redactBytes, redactText, scrubHeaders, scrubUrl } from "./scrub";

export interface RecorderOptions {
  /** The folder the recordings go to; made if missing. */
  dir: string;
  /** Values to find and remove anywhere (the upstream's key). */
  secrets?: string[];
  /** Default MAX_RECORDING_BYTES. */
  maxBytes?: number;
  /** A recording that could not be written; by default one line on stderr (the call itself is not affected). */
  onError?: (error: Error) => void;
}

export interface CallToRecord {
  method: string;
  /** The request as the lab's backend received it (path and query). */
  url: string;
  /** Where it was sent. */
  upstream: string;
  headers: Record<string, string>;
  body: string;
}

/** One call's recording: made just before the request is sent, so times count from then. */
export interface CallTap {
  response(status: number, headers: Record<string, string>): void;
  read(chunk: Uint8Array): void;
  /**
   * Writes the file. `cut`: the body stopped before its end (the upstream's or the caller's
   * doing). Only the first call counts; without a response there is nothing to write.
   */
  end(how: "complete" | "cut"): void;
}

export interface Recorder {
  dir: string;
  start(call: CallToRecord): CallTap;
}

export function createRecorder(options: RecorderOptions): Recorder {
  const dir = resolve(options.dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`cannot make the recording folder ${dir}: ${(e as Error).message}`);
  }
  const maxBytes = options.maxBytes ?? MAX_RECORDING_BYTES;
  const onError = options.onError ?? ((e: Error) => process.stderr.write(`recording: ${e.message}\n`));
  let count = 0;

  return {
    dir,
    start(call) {
      const sentAt = performance.now();
      const recordedAt = new Date();
      const seq = ++count;
      const removed: Removed = { requestHeaders: [], query: [], responseHeaders: [], values: [] };
      const url = scrubUrl(call.url);
      const upstream = scrubUrl(call.upstream);
      const requestHeaders = scrubHeaders(call.headers);
      removed.query = [...new Set([...url.removed, ...upstream.removed])];
      removed.requestHeaders = requestHeaders.removed;
      const secrets = [...(options.secrets ?? []), ...url.values, ...upstream.values, ...requestHeaders.values];
      const clean = (text: string, where: string) => {
        const out = redactText(text, secrets);
        if (out.found) removed.values.push(where);
        return out.text;
      };

      const lines: string[] = [];
      let bytes = 0;
      let how: EndHow | undefined;
      let responded = false;
      let ended = false;
      const add = (line: Record<string, unknown>): boolean => {
        const text = JSON.stringify(line);
        const size = Buffer.byteLength(text) + 1;
        if (bytes + size > maxBytes) return false;
        lines.push(text);
        bytes += size;
        return true;
      };
      add({ type: "request", method: call.method, url: clean(url.url, "request url"), upstream: clean(upstream.url, "upstream url"), headers: requestHeaders.headers, body: clean(call.body, "request body") });
      let reads = 0;
      const ms = () => round(performance.now() - sentAt);

      return {
        response(status, headers) {
          const scrubbed = scrubHeaders(headers);
          removed.responseHeaders = scrubbed.removed;
          secrets.push(...scrubbed.values);
          const kept: Record<string, string> = {};
          for (const [name, value] of Object.entries(scrubbed.headers)) kept[name] = clean(value, `response header ${name}`);
          add({ type: "response", ms: ms(), status, headers: kept });
          responded = true;
        },
        read(chunk) {
          if (how || ended) return;
          reads++;
          const redacted = redactBytes(chunk, secrets);
          if (redacted.found) removed.values.push(`read ${reads}`);
          if (!add(readLine(performance.now() - sentAt, redacted.bytes))) how = "truncated";
        },
        end(endedHow) {
          if (ended || !responded) return;
          ended = true;
          lines.push(JSON.stringify({ type: "end", ms: ms(), how: how ?? endedHow }));
          const head = JSON.stringify({ type: "recording", format: FORMAT, version: FORMAT_VERSION, recordedAt: recordedAt.toISOString(), removed });
          const file = join(dir, fileName(recordedAt, seq, requestKey(call.url, call.body).deployment));
          try {
            // Written at once, when the call is over: a replay never reads half a file.
            writeFileSync(file, [head, ...lines].join("\n") + "\n", { flag: "wx" });
          } catch (e) {
            onError(new Error(`could not write ${file}: ${(e as Error).message}`));
          }
        },
      };
    },
  };
}

/** Sorts in the order the calls were made: `2026-12-04T12-58-34.123Z-0001-gpt-4o-mini.jsonl`. */
function fileName(at: Date, seq: number, deployment: string): string {
  const slug = deployment.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) || "call";
  return `${at.toISOString().replace(/:/g, "-")}-${String(seq).padStart(4, "0")}-${slug}${RECORDING_EXTENSION}`;
}

/**
 * The recording format: one JSON Lines file (https://jsonlines.org) per call, one JSON
 * object a line, each with a `type`, in this order:
 *
 *   {"type":"recording","format":"apim-streaming-lab/recording","version":1,"recordedAt":"…","removed":{…}}
 *   {"type":"request","method":"POST","url":"/openai/deployments/d/chat/completions?api-version=…","upstream":"https://…","headers":{…},"body":"…"}
 *   {"type":"response","ms":612.3,"status":200,"headers":{…}}
 *   {"type":"read","ms":613.0,"text":"data: {…}\n\n"}        (or "base64": "…" when the bytes are not UTF-8)
 *   …one line per network read…
 *   {"type":"end","ms":2210.4,"how":"complete"}               (or "cut", "truncated")
 *
 * `ms` is the time since the request was sent upstream. `url` is the request as the lab's
 * backend received it (what replay matches on); `upstream` is where it went. `removed`
 * names what was taken out before anything reached the disk (names only, never values).
 */

export const FORMAT = "apim-streaming-lab/recording";
export const FORMAT_VERSION = 1;
export const RECORDING_EXTENSION = ".jsonl";

/**
 * The most bytes one recording file may hold. A call's recording is kept in memory until
 * the call ends, so this also bounds the recorder's memory per call in flight; past it the
 * recording stops (`how: "truncated"`) while the call itself goes on. 8 MiB holds the
 * longest streams seen on Azure (1,680 chunks, about 1 MB) many times over.
 */
export const MAX_RECORDING_BYTES = 8 * 1024 * 1024;

/** How a recorded response ended: in full, cut by the upstream, or no longer recorded (the cap). */
export type EndHow = "complete" | "cut" | "truncated";

export interface Removed {
  requestHeaders: string[];
  query: string[];
  responseHeaders: string[];
  /** Places where a secret's value (the upstream key, a removed header's value) was found and replaced. */
  values: string[];
}

export interface RecordedRequest {
  method: string;
  url: string;
  upstream: string;
  headers: Record<string, string>;
  body: string;
}

export interface RecordedRead {
  ms: number;
  bytes: Buffer;
}

export interface Recording {
  recordedAt: string;
  removed: Removed;
  request: RecordedRequest;
  response: { ms: number; status: number; headers: Record<string, string> };
  reads: RecordedRead[];
  end: { ms: number; how: EndHow };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A read as a line: its text when the bytes are UTF-8 on their own, else base64. */
export function readLine(ms: number, bytes: Uint8Array): Record<string, unknown> {
  let text: string | undefined;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = undefined;
  }
  return text === undefined ? { type: "read", ms: round(ms), base64: Buffer.from(bytes).toString("base64") } : { type: "read", ms: round(ms), text };
}

/** Times to the microsecond: finer is noise, and shorter lines are easier to read. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class RecordingError extends Error {}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isStringMap = (x: unknown): x is Record<string, string> => isObject(x) && Object.values(x).every((v) => typeof v === "string");
const isMs = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0;
const HOWS: readonly string[] = ["complete", "cut", "truncated"];

/** Reads one recording file's text; a bad file is a RecordingError naming the line. */
export function parseRecording(text: string, name: string): Recording {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const fail = (i: number, why: string): never => {
    throw new RecordingError(`${name} line ${i + 1}: ${why}`);
  };
  const objects = lines.map((line, i) => {
    try {
      const value: unknown = JSON.parse(line);
      return isObject(value) ? value : fail(i, "not a JSON object");
    } catch (e) {
      if (e instanceof RecordingError) throw e;
      return fail(i, "not JSON");
    }
  });
  const [head, request, response] = objects;
  if (!head || head.type !== "recording" || head.format !== FORMAT) fail(0, `not a recording: the first line must be {"type":"recording","format":"${FORMAT}",…}`);
  if (head.version !== FORMAT_VERSION) fail(0, `format version ${String(head.version)} is not known: this lab reads version ${FORMAT_VERSION}`);
  if (!request || request.type !== "request" || typeof request.url !== "string" || typeof request.body !== "string" || !isStringMap(request.headers)) {
    fail(1, 'expected {"type":"request","url":…,"headers":{…},"body":…}');
  }
  if (!response || response.type !== "response" || !isMs(response.ms) || typeof response.status !== "number" || !isStringMap(response.headers)) {
    fail(2, 'expected {"type":"response","ms":…,"status":…,"headers":{…}}');
  }
  const reads: RecordedRead[] = [];
  let end: Recording["end"] | undefined;
  for (let i = 3; i < objects.length; i++) {
    const line = objects[i];
    if (end) fail(i, "a line after the end line");
    if (line.type === "read" && isMs(line.ms) && (typeof line.text === "string" || typeof line.base64 === "string")) {
      reads.push({ ms: line.ms, bytes: typeof line.text === "string" ? Buffer.from(line.text, "utf8") : Buffer.from(line.base64 as string, "base64") });
    } else if (line.type === "end" && isMs(line.ms) && HOWS.includes(line.how as string)) {
      end = { ms: line.ms, how: line.how as EndHow };
    } else {
      fail(i, 'expected a read ({"type":"read","ms":…,"text" or "base64":…}) or the end ({"type":"end","ms":…,"how":…})');
    }
  }
  // A file without its end line was cut short while written: play it as a cut stream.
  const last = reads.length ? reads[reads.length - 1].ms : (response!.ms as number);
  const removed = isObject(head.removed) ? (head.removed as unknown as Removed) : { requestHeaders: [], query: [], responseHeaders: [], values: [] };
  return {
    recordedAt: typeof head.recordedAt === "string" ? head.recordedAt : "",
    removed,
    request: {
      method: typeof request!.method === "string" ? request!.method : "POST",
      url: request!.url as string,
      upstream: typeof request!.upstream === "string" ? request!.upstream : "",
      headers: request!.headers as Record<string, string>,
      body: request!.body as string,
    },
    response: { ms: response!.ms as number, status: response!.status as number, headers: response!.headers as Record<string, string> },
    reads,
    end: end ?? { ms: last, how: "cut" },
  };
}

/**
 * `npm run compare -- DIR`: each recording in DIR beside the simulator's stream for the
 * same request, in one table per recording: time to headers and to the first content,
 * reads, events, bursts, the longest silence, the end; then the JSON fields and the
 * headers found on one side only. This is how a user checks the simulator against their
 * own deployment. The simulator runs at its default timing, as `npm run lab` does.
 */
import { createParser } from "eventsource-parser";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import { basename, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { table } from "table";
import { startBackend, type DeploymentConfig } from "../lib/local-lab/backend/index";
import { parseRecording, requestKey, type Recording } from "../lib/local-lab/recording/index";

/** Reads closer together than this belong to one burst; Azure's content filter releases bursts about 2 s apart (FIELD-NOTES §8). */
export const BURST_GAP_MS = 100;

export interface Side {
  status: number;
  headersMs: number;
  headers: Record<string, string>;
  reads: { ms: number; bytes: Buffer }[];
  endMs: number;
}

export interface Summary {
  status: number;
  headersMs: number;
  firstContentMs?: number;
  reads: number;
  events: number;
  bursts: number;
  longestSilenceMs: number;
  endMs: number;
  /** Every JSON field path in the events: `choices[].delta.content`. */
  fields: Set<string>;
  headers: Set<string>;
}

/** Not compared: the lab's own headers and those that describe one connection or moment. */
const IGNORED_HEADERS = /^(x-lab-|date$|content-length$|transfer-encoding$|connection$|keep-alive$)/;

export function recordedSide(recording: Recording): Side {
  return { status: recording.response.status, headersMs: recording.response.ms, headers: recording.response.headers, reads: recording.reads, endMs: recording.end.ms };
}

export function summarize(side: Side): Summary {
  const fields = new Set<string>();
  let events = 0;
  let firstContentMs: number | undefined;
  let now = 0;
  const parser = createParser({
    onEvent: (event) => {
      events++;
      if (event.data === "[DONE]") return;
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        return;
      }
      fieldPaths(json, "", fields);
      const content = (json as { choices?: { delta?: { content?: unknown } }[] }).choices?.[0]?.delta?.content;
      if (firstContentMs === undefined && typeof content === "string" && content !== "") firstContentMs = now;
    },
  });
  const decoder = new TextDecoder();
  let bursts = 0;
  let longestSilenceMs = 0;
  let last: number | undefined;
  for (const read of side.reads) {
    now = read.ms;
    parser.feed(decoder.decode(read.bytes, { stream: true }));
    const gap = read.ms - (last ?? side.headersMs);
    longestSilenceMs = Math.max(longestSilenceMs, gap);
    if (last === undefined || gap >= BURST_GAP_MS) bursts++;
    last = read.ms;
  }
  parser.feed(decoder.decode());
  const headers = new Set(Object.keys(side.headers).filter((h) => !IGNORED_HEADERS.test(h)));
  return { status: side.status, headersMs: side.headersMs, firstContentMs, reads: side.reads.length, events, bursts, longestSilenceMs, endMs: side.endMs, fields, headers };
}

/** Field paths of a JSON value, arrays as `[]`: `{"choices":[{"delta":{}}]}` gives choices, choices[], choices[].delta. */
export function fieldPaths(value: unknown, prefix: string, out: Set<string>, depth = 0): void {
  if (depth > 8 || typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) fieldPaths(item, `${prefix}[]`, out, depth + 1);
    return;
  }
  for (const [name, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.add(path);
    fieldPaths(inner, path, out, depth + 1);
  }
}

const ms = (x: number | undefined) => (x === undefined ? "—" : `${Math.round(x)} ms`);
/** What `a` has and `b` has not; of a missing field, only the field, not each of its own. */
export function onlyIn(a: Set<string>, b: Set<string>): string[] {
  const missing = [...a].filter((x) => !b.has(x)).sort();
  const set = new Set(missing);
  return missing.filter((path) => !ancestors(path).some((p) => set.has(p)));
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.length - 1; i > 0; i--) if (path[i] === "." || (path[i] === "[" && path[i + 1] === "]")) out.push(path.slice(0, i));
  return out;
}

/** One recording beside the simulator: a table, then what one side has and the other has not. */
export function comparison(title: string, recorded: Summary, simulated: Summary): string {
  const rows: string[][] = [
    ["", "recording", "simulator"],
    ["status", String(recorded.status), String(simulated.status)],
    ["time to headers", ms(recorded.headersMs), ms(simulated.headersMs)],
    ["time to first content", ms(recorded.firstContentMs), ms(simulated.firstContentMs)],
    ["network reads", String(recorded.reads), String(simulated.reads)],
    ["events", String(recorded.events), String(simulated.events)],
    [`bursts (reads ${BURST_GAP_MS} ms apart or more)`, String(recorded.bursts), String(simulated.bursts)],
    ["longest silence", ms(recorded.longestSilenceMs), ms(simulated.longestSilenceMs)],
    ["end", ms(recorded.endMs), ms(simulated.endMs)],
  ];
  const list = (items: string[]) => (items.length ? items.join(", ") : "none");
  return [
    title,
    table(rows, { drawHorizontalLine: (i, size) => i === 0 || i === 1 || i === size }).trimEnd(),
    `fields only in the recording: ${list(onlyIn(recorded.fields, simulated.fields))}`,
    `fields only in the simulator: ${list(onlyIn(simulated.fields, recorded.fields))}`,
    `headers only in the recording: ${list(onlyIn(recorded.headers, simulated.headers))}`,
    `headers only in the simulator: ${list(onlyIn(simulated.headers, recorded.headers))}`,
  ].join("\n");
}

/** The files a path names: one recording, or every *.jsonl in a folder, in recorded order. */
export function recordingFiles(path: string): string[] {
  const full = resolve(path);
  let isDir: boolean;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    throw new Error(`no recording or folder at ${full}: give a folder made with npm run lab -- --upstream URL --record DIR`);
  }
  const files = isDir ? readdirSync(full).filter((n) => n.endsWith(".jsonl")).sort().map((n) => join(full, n)) : [full];
  if (files.length === 0) throw new Error(`no recordings (*.jsonl) in ${full}`);
  return files;
}

/** The simulator's deployment for a recording: its name, and the model the recording's events name (dated version dropped). */
function deploymentFor(recording: Recording): DeploymentConfig {
  const name = requestKey(recording.request.url, recording.request.body).deployment;
  const text = recording.reads.map((r) => r.bytes.toString("utf8")).join("");
  const model = /"model":\s*"([^"]+)"/.exec(text)?.[1].replace(/-\d{4}-\d{2}-\d{2}$/, "") || "gpt-4o-mini";
  return { name, model, tokensPerMinute: 1e9, requestsPerMinute: 1e9 };
}

/** Sends the recorded request to a simulator and times each read from when it was sent. */
function simulate(url: string, apiKey: string, recording: Recording): Promise<Side> {
  return new Promise((done, fail) => {
    const sent = performance.now();
    const req = request(url + recording.request.url, { method: "POST", headers: { "api-key": apiKey, "content-type": "application/json" } }, (res) => {
      const side: Side = { status: res.statusCode ?? 0, headersMs: performance.now() - sent, headers: {}, reads: [], endMs: 0 };
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) side.headers[name] = Array.isArray(value) ? value.join(", ") : value;
      res.on("data", (bytes: Buffer) => side.reads.push({ ms: performance.now() - sent, bytes }));
      res.on("end", () => done({ ...side, endMs: performance.now() - sent }));
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end(recording.request.body);
  });
}

/** The whole report for a folder or a file. */
export async function compareRecordings(path: string): Promise<string> {
  const recordings = recordingFiles(path).map((file) => ({ file, recording: parseRecording(readFileSync(file, "utf8"), file) }));
  const deployments = new Map<string, DeploymentConfig>();
  for (const { recording } of recordings) {
    const d = deploymentFor(recording);
    if (!deployments.has(d.name)) deployments.set(d.name, d);
  }
  const simulator = await startBackend({ deployments: [...deployments.values()] });
  try {
    // The first call in a process loads code on its way: not the simulator's timing.
    await simulate(simulator.url, simulator.apiKey, recordings[0].recording);
    const parts: string[] = [];
    for (const { file, recording } of recordings) {
      const key = requestKey(recording.request.url, recording.request.body);
      const simulated = await simulate(simulator.url, simulator.apiKey, recording);
      parts.push(comparison(`${basename(file)}: ${key.deployment} ${key.operation}${key.stream ? ", streamed" : ""}`, summarize(recordedSide(recording)), summarize(simulated)));
    }
    return parts.join("\n\n") + "\n";
  } finally {
    await simulator.close();
  }
}

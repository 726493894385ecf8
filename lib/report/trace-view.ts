/**
 * Reads an APIM request trace (the answer of the management API's `listTrace`,
 * or the local lab's trace, which follows the same schema) into rows a person
 * can scan: per section, each entry's source, its elapsed time in ms and one
 * line saying what it did. The raw JSON stays at hand, masked.
 *
 * Real traces carry secrets in clear text (the caller's `api-key`, the bearer
 * token the gateway obtained for the backend, subscription keys in URLs), so
 * every entry is masked before a word of it is summarised.
 */
import { isSecretName, mask, registerSecret } from "./mask";
import { formatMs } from "./format";
import type { Table } from "./html";
import { tableText } from "./text-table";
import { TRACE_SECTIONS } from "../schema";

/**
 * A trace entry as this reader accepts it: a `TraceEntry` (../schema)
 * fits, and so does a partial one (a local or hand-made trace).
 */
export interface TraceEntryLike {
  source: string;
  /** ISO 8601 UTC, up to 7 fractional digits. */
  timestamp?: string;
  /** .NET TimeSpan since the request arrived, e.g. "00:00:01.6935036". */
  elapsed?: string | number;
  data?: unknown;
}

/** A trace as this reader accepts it; a `TraceDocument` (../schema) fits. */
export interface TraceLike {
  serviceName?: string;
  traceId?: string;
  /** Empty sections may be absent; `on-error` only appears when a policy failed. */
  traceEntries?: { [section: string]: TraceEntryLike[] | undefined };
}

export interface TraceRow {
  source: string;
  /** Milliseconds since the gateway received the request; undefined when unreadable. */
  elapsedMs: number | undefined;
  timestamp: string | undefined;
  /** One line, masked. */
  summary: string;
}

export interface TraceSection {
  name: string;
  rows: TraceRow[];
}

export interface TraceView {
  serviceName: string | undefined;
  traceId: string | undefined;
  /** Non-empty sections: inbound, backend, outbound, on-error, then any others in trace order. */
  sections: TraceSection[];
}

const TIMESPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/**
 * A .NET TimeSpan as printed by `TimeSpan.ToString()` ("c" format):
 * `[-][d.]hh:mm:ss[.fffffff]`, in ms. A number is taken as ms already (some
 * gateway logs print elapsed that way).
 */
export function parseElapsed(elapsed: unknown): number | undefined {
  if (typeof elapsed === "number") return Number.isFinite(elapsed) ? elapsed : undefined;
  if (typeof elapsed !== "string") return undefined;
  const m = TIMESPAN.exec(elapsed.trim());
  if (!m) return undefined;
  const [, minus, days, hours, minutes, seconds, fraction] = m;
  const wholeSeconds = ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
  // The fraction is in ticks of 100 ns when it has 7 digits; padding makes any length mean seconds.
  const ms = wholeSeconds * 1000 + (fraction ? Number((fraction + "0000000").slice(0, 7)) / 10_000 : 0);
  return minus ? -ms : ms;
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function text(x: unknown): string | undefined {
  if (typeof x === "string") return x;
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  return undefined;
}

/** A message as APIM writes it: a string, `{ message }` (string or list) or `{ messages: [...] }`. */
function message(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return data.map((d) => text(d) ?? "").filter((d) => d).join("; ") || undefined;
  if (!isObject(data)) return undefined;
  for (const key of ["message", "messages"]) {
    const m = data[key];
    if (typeof m === "string") return m;
    if (Array.isArray(m)) return message(m);
  }
  return undefined;
}

/** Product, user: "-" in some traces, `{ id: "/products/x" }` or `{ name }` in others. */
function idOf(x: unknown): string {
  if (typeof x === "string") return x;
  if (isObject(x)) {
    const id = text(x.id) ?? text(x.name);
    if (id) return id.split("/").filter((p) => p).pop() ?? id;
  }
  return "-";
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!Array.isArray(headers)) return undefined;
  const h = headers.find((x) => isObject(x) && typeof x.name === "string" && x.name.toLowerCase() === name);
  return h ? text((h as Json).value) : undefined;
}

/** "Request is being forwarded to the backend service. Timeout set to 300 seconds" says little more than its timeout. */
function forwarded(data: unknown): string {
  const m = message(data);
  const timeout = m ? /Timeout set to (\d+) seconds/i.exec(m) : null;
  if (timeout) return `forwarded (timeout ${timeout[1]} s)`;
  return m ?? "forwarded";
}

function requestLine(request: unknown): string | undefined {
  if (!isObject(request)) return undefined;
  const url = text(request.url);
  if (!url) return undefined;
  return `${text(request.method) ?? ""} ${url}`.trim();
}

function responseLine(response: unknown): string | undefined {
  if (!isObject(response)) return undefined;
  const status = isObject(response.status) ? response.status : undefined;
  if (!status) return undefined;
  const type = headerValue(response.headers, "content-type");
  return `${text(status.code) ?? "?"} ${text(status.reason) ?? ""}`.trim() + (type ? ` (${type})` : "");
}

/** An error as APIM reports it: `{ source, reason, message, section, ... }`, possibly under `error`/`lastError`. */
function errorLine(data: unknown): string | undefined {
  if (!isObject(data)) return undefined;
  const err = isObject(data.lastError) ? data.lastError : isObject(data.error) ? data.error : data;
  const reason = text(err.reason);
  const msg = text(err.message);
  if (!reason && !(msg && text(err.source))) return undefined;
  const where = [text(err.source), text(err.section) ? `(${text(err.section)})` : undefined].filter((w) => w).join(" ");
  return `error${where ? " in " + where : ""}: ${[reason, msg].filter((w) => w).join(": ")}`;
}

/** For sources this reader does not know: the message, else the first few scalar fields. */
function firstFields(data: unknown): string {
  const m = message(data);
  const fields = isObject(data)
    ? Object.entries(data)
        .filter(([k, v]) => k !== "message" && k !== "messages" && text(v) !== undefined && text(v) !== "")
        .slice(0, 3)
        .map(([k, v]) => `${k}=${text(v)}`)
    : [];
  if (m) return fields.length ? `${m} (${fields.join(", ")})` : m;
  if (fields.length) return fields.join(", ");
  return data === undefined ? "" : truncate(JSON.stringify(data) ?? "", 100);
}

const SUMMARIES: Record<string, (data: unknown) => string | undefined> = {
  "api-inspector": (data) => {
    if (!isObject(data)) return message(data);
    const req = requestLine(data.request);
    if (req) return `request ${req}`;
    const conf = isObject(data.configuration) ? data.configuration : undefined;
    if (!conf) return undefined;
    const api = isObject(conf.api) ? conf.api : {};
    const to = isObject(api.to) ? api.to : undefined;
    const port = to && to.isDefaultPort !== true && text(to.port) ? `:${text(to.port)}` : "";
    const target = to ? `${text(to.scheme) ?? "https"}://${text(to.host) ?? "?"}${port}${text(to.path) ?? ""}` : undefined;
    const op = isObject(conf.operation) ? conf.operation : {};
    return [
      `api ${text(api.from) ?? "?"}${target ? " → " + target : ""}`,
      `operation ${[text(op.method), text(op.uriTemplate)].filter((w) => w).join(" ") || "?"}`,
      `product ${idOf(conf.product)}`,
      `user ${idOf(conf.user)}`,
    ].join("; ");
  },
  "set-header": (data) => {
    if (!isObject(data) || !isObject(data.header)) return undefined;
    const name = text(data.header.name) ?? "?";
    const value = data.header.value;
    const shown = Array.isArray(value) ? value.map((v) => text(v) ?? "").join(", ") : text(value);
    return shown === undefined ? `${name} (${message(data) ?? "changed"})` : `${name}: ${shown}`;
  },
  "set-backend-service": (data) => {
    if (!isObject(data)) return undefined;
    const url = text(data.newBackendServiceUrl) ?? (isObject(data.request) ? text(data.request.url) : undefined);
    return url ? `backend URL ${url}` : undefined;
  },
  "authentication-managed-identity": (data) => {
    const m = message(data);
    // "Obtaining managed identity token using clientId:... AAD Authority:... for <audience> audience succeeded."
    const found = m ? /\bfor (\S+) audience (\w+)/.exec(m) : null;
    return found ? `token for ${found[1]}: ${found[2]}` : m;
  },
  "request-forwarder": (data) => {
    if (!isObject(data)) return undefined;
    const req = requestLine(data.request);
    if (!req) return undefined;
    return `${forwarded(data)} → ${req}`;
  },
  // Newer traces log the outgoing request as request-forwarder and only the
  // backend's response here; older ones log both here. Either shape is read.
  "forward-request": (data) => {
    if (!isObject(data)) return undefined;
    const res = responseLine(data.response);
    if (res) return `response ${res}`;
    const req = requestLine(data.request);
    return req ? `${forwarded(data)} → ${req}` : undefined;
  },
};

function summarize(source: string, data: unknown): string {
  const specific = SUMMARIES[source];
  const line = (specific && specific(data)) || errorLine(data) || firstFields(data);
  return line;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/**
 * `mask` finds secrets by field name and by their look in text, but a trace
 * also holds them where neither shows: a header's value in a `{ name, value }`
 * object, a `subscription-key=` query parameter. Telling `mask` about those
 * values first (through its own `registerSecret`) makes it hide them wherever
 * they appear: in summaries, the raw JSON, and error messages quoting a URL.
 */
function registerTraceSecrets(value: unknown, depth = 0): void {
  if (depth > 50) return;
  if (typeof value === "string") {
    for (const m of value.matchAll(/[?&]([^=&#\s"']+)=([^&#\s"']+)/g)) {
      let name = m[1];
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep it as it is
      }
      if (isSecretName(name) || name === "sig") registerSecret(m[2]);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v) => registerTraceSecrets(v, depth + 1));
    return;
  }
  if (!isObject(value)) return;
  if (typeof value.name === "string" && isSecretName(value.name)) registerSecretValue(value.value);
  for (const [k, v] of Object.entries(value)) {
    if (isSecretName(k)) registerSecretValue(v);
    registerTraceSecrets(v, depth + 1);
  }
}

function registerSecretValue(v: unknown): void {
  if (typeof v === "string") {
    registerSecret(v);
    registerSecret(v.replace(/^\s*(Bearer|Basic|SharedAccessSignature)\s+/i, ""));
  } else if (Array.isArray(v)) v.forEach(registerSecretValue);
}

function sectionNames(entries: NonNullable<TraceLike["traceEntries"]>): string[] {
  const known = TRACE_SECTIONS.filter((s) => Array.isArray(entries[s]));
  const others = Object.keys(entries).filter((s) => !(TRACE_SECTIONS as readonly string[]).includes(s) && Array.isArray(entries[s]));
  return [...known, ...others];
}

/** Reads a trace into masked rows, one section per policy stage. */
export function readTrace(trace: TraceLike): TraceView {
  registerTraceSecrets(trace);
  const entries = (trace && trace.traceEntries) || {};
  const sections: TraceSection[] = [];
  for (const name of sectionNames(entries)) {
    const list = entries[name] ?? [];
    if (list.length === 0) continue;
    sections.push({
      name,
      rows: list.map((entry) => {
        const source = text(entry && entry.source) ?? "?";
        // Mask the data before reading a word of it: summaries are built from masked values only.
        const data = mask(entry ? entry.data : undefined);
        return {
          source,
          elapsedMs: parseElapsed(entry && entry.elapsed),
          timestamp: text(entry && entry.timestamp),
          summary: truncate(oneLine(mask(summarize(source, data))), 240),
        };
      }),
    });
  }
  return { serviceName: text(trace && trace.serviceName), traceId: text(trace && trace.traceId), sections };
}

/**
 * One titled table per section, in policy order, under a heading naming the trace.
 * Elapsed times use the lab's one ms format.
 */
export function traceTableList(trace: TraceLike, options: { summaryWidth?: number } = {}): { heading: string; tables: Table[] } {
  const view = readTrace(trace);
  // Masked too, so that a secret cannot sneak in through a trace id or service name.
  const heading = mask(`Trace ${view.traceId ?? "(no id)"}${view.serviceName ? ` on ${view.serviceName}` : ""}`);
  if (view.sections.length === 0) return { heading: `${heading}: no entries.`, tables: [] };
  const tables = view.sections.map((section) => {
    const n = section.rows.length;
    return {
      title: `${section.name} (${n} ${n === 1 ? "entry" : "entries"})`,
      header: ["source", "elapsed", "summary"],
      rows: section.rows.map((r) => [r.source, r.elapsedMs === undefined ? "-" : formatMs(r.elapsedMs), r.summary]),
      maxWidth: options.summaryWidth ?? 72,
    };
  });
  return { heading, tables };
}

/** The trace's tables as text (`traceTableList`). */
export function traceTables(trace: TraceLike, options: { summaryWidth?: number } = {}): string {
  const { heading, tables } = traceTableList(trace, options);
  return mask([heading, ...tables.map(tableText)].join("\n\n"));
}

/** The raw trace as indented JSON, every secret masked. */
export function maskedTraceJson(trace: TraceLike): string {
  registerTraceSecrets(trace);
  return JSON.stringify(mask(trace), null, 2);
}

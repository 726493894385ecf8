/**
 * The abuse check's steps (`npm run abuse-check`, bin/abuse-check.ts), each against a live
 * lab in its own process (./lab): what was sent, how long it took, what the lab's memory
 * and CPU did, and whether the lab held (every request answered, no key leaked, no trace).
 */
import { request, type ClientRequest } from "node:http";
import { performance } from "node:perf_hooks";
import type { LabAddress, LabProcess } from "./lab";
import { MALFORMED, rawFor } from "./malformed";
import { sendRaw } from "./raw";
import { alteredTokens } from "./tokens";
import { debugToken, listTrace, nestedStreamBody, printedLength, tracedCalls } from "./traced";
import { TEXT_LIMIT } from "../../lib/local-lab/policy/expression/json-text";

export const CHAT = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21";

export interface StepResult {
  name: string;
  requests: number;
  ms: number;
  /** Figures in words, e.g. "RSS 150 -> 160 MB". */
  figures: string;
  ok: boolean;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

/** One ordinary, unstreamed call through the gateway: the lab still serves. */
export async function normalCall(lab: LabAddress): Promise<boolean> {
  try {
    const res = await fetch(lab.gatewayUrl + CHAT, {
      method: "POST",
      headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "x-lab-timing": "first-token=0; token=0; jitter=0" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }] }),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Every malformed request to every server: each must get a 4xx with a JSON body. */
export async function malformedRequests(lab: LabAddress): Promise<StepResult> {
  const servers = [lab.gatewayUrl, lab.backendUrl, lab.managementUrl];
  let unanswered = 0;
  const { ms } = await timed(async () => {
    for (const url of servers) {
      for (const m of MALFORMED) {
        const answer = await sendRaw(url, rawFor(m, new URL(url).host), 3_000);
        const body = answer.text.slice(answer.text.indexOf("\r\n\r\n") + 4);
        if (answer.status < 400 || answer.status >= 500 || !body.startsWith("{")) unanswered++;
      }
    }
  });
  const requests = servers.length * MALFORMED.length;
  const served = await normalCall(lab);
  return { name: "malformed requests", requests, ms, figures: `${requests - unanswered} of ${requests} answered with a 4xx in the server's shape; a normal call after: ${served ? "ok" : "FAILED"}`, ok: unanswered === 0 && served };
}

/** The key in the `subscription-key` query parameter: accepted, and absent from what the gateway forwarded. */
export async function queryKey(lab: LabAddress): Promise<StepResult> {
  const token = await debugToken(lab);
  const { value, ms } = await timed(async () => {
    const res = await fetch(`${lab.gatewayUrl}${CHAT}&subscription-key=${encodeURIComponent(lab.subscriptionKey)}`, {
      method: "POST",
      headers: { "content-type": "application/json", "apim-debug-authorization": token, "x-lab-timing": "first-token=0; token=0; jitter=0" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }] }),
    });
    await res.arrayBuffer();
    const trace = JSON.parse(await listTrace(lab, res.headers.get("apim-trace-id") ?? "")) as { traceEntries?: { backend?: unknown } };
    return { status: res.status, forwarded: JSON.stringify(trace.traceEntries?.backend ?? null) };
  });
  const leaked = value.forwarded.includes(lab.subscriptionKey);
  const ok = value.status === 200 && value.forwarded !== "null" && !leaked;
  return { name: "key in the query", requests: 1, ms, figures: `status ${value.status}; key in the forwarded request: ${leaked ? "YES" : "no"}`, ok };
}

/** Traced calls whose `stream` is a large nested array: the lab's memory and CPU per call. */
export async function nestedTraces(p: LabProcess, count: number, bytes: number): Promise<StepResult> {
  const before = await p.usage();
  const run = await tracedCalls(p.lab, nestedStreamBody(bytes, 4000), count, 10);
  const after = await p.usage();
  const small = await tracedCalls(p.lab, nestedStreamBody(8 * 1024, 4000), 50, 1);
  const afterSmall = await p.usage();
  const cpuPerCall = (after.cpuMs - before.cpuMs) / count;
  const cpuPerSmall = (afterSmall.cpuMs - after.cpuMs) / 50;
  // The policy's ToString() of the nested value is cut at TEXT_LIMIT characters and an ellipsis.
  const printed = printedLength(run.streamVariable);
  const ok = run.statuses.every((s) => s === 400) && run.lastTraceBytes < 64 * 1024 && printed > 0 && printed <= TEXT_LIMIT + 1;
  return {
    name: "nested stream values, traced",
    requests: count + 50,
    ms: run.ms + small.ms,
    figures:
      `${count} calls of ${(bytes / 1024).toFixed(0)} KB: lab RSS ${mb(before.rssBytes)} -> ${mb(after.rssBytes)} MB, lab CPU ${cpuPerCall.toFixed(1)} ms a call; ` +
      `50 calls of 8 KB nested 4000 deep: lab CPU ${cpuPerSmall.toFixed(1)} ms a call; each trace ${(run.lastTraceBytes / 1024).toFixed(1)} KB, the policy's text of its stream ${printed} characters`,
    ok,
  };
}

/** The issued debug token traces; none of its alterations does. */
export async function alteredDebugTokens(lab: LabAddress): Promise<StepResult> {
  const issued = await debugToken(lab);
  const traced = async (token: string) => {
    const res = await fetch(lab.gatewayUrl + CHAT, {
      method: "POST",
      headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "apim-debug-authorization": token, "x-lab-timing": "first-token=0; token=0; jitter=0" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }] }),
    });
    await res.arrayBuffer();
    return res.headers.has("apim-trace-id");
  };
  const altered = alteredTokens(issued);
  const { value, ms } = await timed(async () => {
    const issuedTraces = await traced(issued);
    let tracedAltered = 0;
    for (const a of altered) if (await traced(a.token)) tracedAltered++;
    return { issuedTraces, tracedAltered };
  });
  return {
    name: "altered debug tokens",
    requests: altered.length + 1,
    ms,
    figures: `issued token traced: ${value.issuedTraces ? "yes" : "NO"}; altered tokens traced: ${value.tracedAltered} of ${altered.length}`,
    ok: value.issuedTraces && value.tracedAltered === 0,
  };
}

/** Streams nobody reads, held open: the lab's memory per unread stream. */
export async function unreadStreams(p: LabProcess, count: number, holdMs: number): Promise<StepResult> {
  const before = await p.usage();
  const body = JSON.stringify({ messages: [{ role: "user", content: "Count to 10000." }], stream: true });
  const open: ClientRequest[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve) => {
        const req = request(p.lab.gatewayUrl + CHAT, {
          method: "POST",
          agent: false,
          headers: { "api-key": p.lab.subscriptionKey, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        });
        req.on("response", (res) => {
          // Never read: the socket's buffers fill, and the lab must hold or pause what it generates.
          res.pause();
          resolve();
        });
        req.on("error", () => resolve());
        req.end(body);
        open.push(req);
      }),
    ),
  );
  await new Promise((r) => setTimeout(r, holdMs));
  const during = await p.usage();
  for (const req of open) req.destroy();
  const ms = performance.now() - started;
  const perStream = (during.rssBytes - before.rssBytes) / count / 1024 / 1024;
  return {
    name: "unread streams",
    requests: count,
    ms,
    figures: `${count} unread "Count to 10000." streams held ${holdMs} ms: lab RSS ${mb(before.rssBytes)} -> ${mb(during.rssBytes)} MB (${perStream.toFixed(1)} MB a stream), ${during.activeBackendStreams} generations open`,
    // A figure to report, not a pass/fail: bounded memory per stream comes with lazy generation (issue 13).
    ok: true,
  };
}

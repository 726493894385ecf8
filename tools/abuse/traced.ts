/**
 * Traced calls whose `stream` value is a large, deeply nested array: the input that once
 * made each trace 32 MB. Shared by the abuse check and its test.
 */
import type { LabAddress } from "./lab";

const CHAT = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21";

/** A chat body of about `bytes` whose `stream` is an array nested `depth` deep around a long string. */
export function nestedStreamBody(bytes: number, depth: number): string {
  const head = `{"messages":[{"role":"user","content":"Count to 3."}],"stream":${"[".repeat(depth)}"`;
  const tail = `"${"]".repeat(depth)}}`;
  return head + "x".repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

/** A debug token for the lab's main API, from its management API as a client gets one. */
export async function debugToken(lab: LabAddress): Promise<string> {
  const url = `${lab.managementUrl}${lab.apimServiceId}/gateways/managed/listDebugCredentials?api-version=2023-05-01-preview`;
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${lab.managementToken}`, "content-type": "application/json" },
    body: JSON.stringify({ apiId: lab.apiId, purposes: ["tracing"], credentialsExpireAfter: "PT1H" }),
  });
  if (res.status !== 200) throw new Error(`listDebugCredentials answered ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export async function listTrace(lab: LabAddress, traceId: string): Promise<string> {
  const url = `${lab.managementUrl}${lab.apimServiceId}/gateways/managed/listTrace?api-version=2023-05-01-preview`;
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${lab.managementToken}`, "content-type": "application/json" },
    body: JSON.stringify({ traceId }),
  });
  return res.text();
}

export interface TracedRun {
  statuses: number[];
  /** Size of the last call's trace as listTrace sends it. */
  lastTraceBytes: number;
  /** The `isStream` variable the last trace recorded. */
  streamVariable: unknown;
  ms: number;
}

/** `count` traced calls with `body`, `concurrency` at a time. */
export async function tracedCalls(lab: LabAddress, body: string, count: number, concurrency: number): Promise<TracedRun> {
  const token = await debugToken(lab);
  const statuses: number[] = [];
  let lastTraceId = "";
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await fetch(lab.gatewayUrl + CHAT, {
        method: "POST",
        headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "apim-debug-authorization": token },
        body,
      });
      await res.arrayBuffer();
      statuses.push(res.status);
      lastTraceId = res.headers.get("apim-trace-id") ?? lastTraceId;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  const text = lastTraceId ? await listTrace(lab, lastTraceId) : "";
  let streamVariable: unknown;
  try {
    const trace = JSON.parse(text) as { traceEntries: { inbound?: { source: string; data: { name?: string; value?: unknown } }[] } };
    streamVariable = trace.traceEntries.inbound?.find((e) => e.source === "set-variable")?.data.value;
  } catch {
    streamVariable = undefined;
  }
  return { statuses, lastTraceBytes: Buffer.byteLength(text), streamVariable, ms };
}

/** How long the policy's text of a value was: the trace keeps at most 4,096 characters and says how many it cut from. */
export function printedLength(traced: unknown): number {
  if (typeof traced !== "string") return 0;
  const cut = /…\[cut: (\d+) chars\]$/.exec(traced);
  return cut ? Number(cut[1]) : traced.length;
}

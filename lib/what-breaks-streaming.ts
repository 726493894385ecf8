/**
 * The notebook's "What breaks streaming" step: the same streamed request through the
 * lab's policy and through variants Microsoft's SSE guidelines warn about, each on its
 * own local lab (policies/variants/), as lanes on one chart. Each lane keeps its trace,
 * which names the policy that made the gateway wait.
 */
import { readFileSync } from "node:fs";
import { startLocalLab } from "./local-lab/index";
import { policyPath } from "./local-lab/policy/defaults";
import { ManagementClient } from "./management";
import { readHttpStream } from "./stream/readers";
import type { StreamRecord } from "./stream/record";
import { summarizeStream } from "./stream/summary";
import { renderTimeline } from "./report/timeline";
import { showMarkdown, showSvg, showText } from "./report/display";
import { textTable } from "./report/text-table";
import type { TraceDocument } from "./schema";

export interface PolicyVariant {
  label: string;
  /** Under policies/. */
  file: string;
  /** Where the change goes, to apply it on Azure. */
  where: string;
}

export interface PolicyLane {
  variant: PolicyVariant;
  /** The lines the variant adds to or changes in policies/openai.xml. */
  change: string;
  record: StreamRecord;
  status: number;
  trace?: TraceDocument;
  /** One measured sentence: what the caller saw. */
  sentence: string;
  /** The policy the trace says made the gateway wait for the whole body, if any. */
  bufferedBy?: string;
}

export const STREAMING_VARIANTS: readonly PolicyVariant[] = [
  { label: "lab policy", file: "openai.xml", where: "the API's policy as it is" },
  { label: "buffer-response=true", file: "variants/buffer-response-true.xml", where: "<backend>: forward-request" },
  { label: "set-body reads body", file: "variants/read-response-body.xml", where: "<outbound>: set-body" },
  { label: "validate-content", file: "variants/validate-content.xml", where: "<outbound>: validate-content" },
  { label: "llm-token-limit", file: "variants/token-limit.xml", where: "<inbound>: llm-token-limit" },
];

const PROMPT = "Count to 60, with a comma between each number and no newlines.";

/** The variant's own lines: those not in policies/openai.xml, comments left out. */
export function policyChange(file: string): string {
  const base = new Set(readFileSync(policyPath("openai.xml"), "utf8").split("\n").map((l) => l.trim()));
  const lines = readFileSync(policyPath(file), "utf8").split("\n").map((l) => l.trim());
  const changed = lines.filter((l) => l !== "" && !base.has(l) && !l.startsWith("<!--"));
  return changed.length === 0 ? "(policies/openai.xml as it is)" : changed.join("\n");
}

/** Arrivals closer than 5 ms are one piece (one write by the gateway, split by TCP or not). */
function pieces(record: StreamRecord): number[] {
  const times: number[] = [];
  for (const e of record.events) if (times.length === 0 || e.ms - times[times.length - 1] >= 5) times.push(e.ms);
  return times;
}

/** The lane's one measured sentence, from what the caller saw. */
export function describeLane(lane: Pick<PolicyLane, "record" | "status">, retryAfter: string | null): string {
  const ms = (n: number) => `${Math.round(n)} ms`;
  if (lane.status !== 200) return `${lane.status} after ${ms(lane.record.headersMs)}, before any stream${retryAfter ? `, Retry-After ${retryAfter} s` : ""}: the token budget was spent by an earlier call.`;
  const s = summarizeStream(lane.record);
  const p = pieces(lane.record);
  const first = s.firstContentMs === undefined ? "no content" : `first content after ${ms(s.firstContentMs)}`;
  // Judged by time, not by reads: one write of the whole body may still reach the client in several reads.
  if (s.firstContentMs !== undefined && s.firstContentMs >= 0.9 * s.totalMs) {
    return `The whole body at the end: nothing for ${ms(s.firstContentMs)}, then all ${s.chunks} chunks within ${ms(s.totalMs - s.firstContentMs)}.`;
  }
  if (p.length < s.chunks / 4) return `In ${p.length} pieces (8 KB each but the last): ${first}.`;
  return `Relayed as it came: ${first}, ${p.length} arrivals over ${ms(s.totalMs - (s.firstContentMs ?? 0))}.`;
}

/** Runs the same request through each variant, each on its own local lab, all at once. */
export async function runPolicyVariants(variants: readonly PolicyVariant[] = STREAMING_VARIANTS): Promise<PolicyLane[]> {
  return Promise.all(variants.map(async (variant) => {
    // No content filter holding text back (step 9 shows what it does): only the policy shapes each lane.
    const lab = await startLocalLab({ policy: policyPath(variant.file), contentFilter: "none" });
    try {
      const management = new ManagementClient({ endpoint: lab.managementUrl, credential: lab.credential });
      const call = async (traced: boolean) => {
        const headers: Record<string, string> = { "api-key": lab.subscriptionKey, "content-type": "application/json" };
        if (traced) headers["Apim-Debug-Authorization"] = await management.listDebugCredentials(lab.apimServiceId, lab.apiId);
        const sentAt = performance.now();
        const response = await fetch(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
          method: "POST", headers, body: JSON.stringify({ messages: [{ role: "user", content: PROMPT }], stream: true }),
        });
        const result = await readHttpStream(variant.label, response, sentAt, { headersMs: performance.now() - sentAt });
        return { response, result };
      };
      // A token limit shows itself on the call after one that spent the budget.
      if (variant.file.includes("token-limit")) await call(false);
      const { response, result } = await call(true);
      const traceId = response.headers.get("apim-trace-id");
      const trace = traceId ? await management.listTrace(lab.apimServiceId, traceId) : undefined;
      const waited = Object.values(trace?.traceEntries ?? {}).flatMap((l) => l ?? []).find((e) => /read in full/.test(String((e.data as { message?: unknown })?.message)));
      const forwardBuffers = /buffer-response="true"/.test(readFileSync(policyPath(variant.file), "utf8"));
      const lane = {
        variant,
        change: policyChange(variant.file),
        record: result.record,
        status: response.status,
        trace,
        bufferedBy: waited ? `${waited.source} (its trace entry: read in full before it ran)` : forwardBuffers ? 'forward-request buffer-response="true" (8 KB pieces)' : undefined,
      };
      return { ...lane, sentence: describeLane(lane, response.headers.get("retry-after")) };
    } finally {
      await lab.close();
    }
  }));
}

/** What to change where on Azure: the run needs the local lab's variants. */
export function showWhereToApply(variants: readonly PolicyVariant[] = STREAMING_VARIANTS): void {
  showMarkdown(
    "Skipped on Azure: each variant needs its own API policy. To see one there, paste it from `policies/` into the API's policy " +
      "(portal: APIs → your API → All operations → Policies), run step 7 again, then restore `policies/openai.xml`:\n\n" +
      variants.slice(1).map((v) => `- \`policies/${v.file}\`: ${v.where}`).join("\n"),
  );
}

/** The lanes on one chart; below it, each lane's policy change, what the caller saw, and who buffered. */
export function showPolicyLanes(lanes: PolicyLane[]): void {
  const title = `Arrivals: the same stream through ${lanes.length} policies`;
  showSvg(renderTimeline(lanes.map((l) => l.record), { title }), `[timeline chart: ${title}]`);
  for (const lane of lanes) {
    showText(`${lane.variant.label}: ${lane.sentence}${lane.bufferedBy ? ` Buffered by ${lane.bufferedBy}.` : ""}`);
  }
  showText(textTable(["lane", "policy change (policies/" + "variants)"], lanes.map((l) => [l.variant.label, l.change])));
}

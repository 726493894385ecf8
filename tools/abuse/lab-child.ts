/**
 * The lab under the abuse check, in a process of its own (`startLocalLab`, default timing),
 * so its memory and CPU are the lab's, not the attacker's. Talks to the parent over IPC:
 *
 *   child -> { type: "ready", lab: LabAddress }
 *   parent -> { type: "usage" }   child -> { type: "usage", ...LabProcessUsage } (after a GC)
 *   parent -> { type: "exit" }
 */
import { startLocalLab } from "../../lib/local-lab/index";
import type { LabAddress, LabProcessUsage } from "./lab";

async function main(): Promise<void> {
  if (!process.send) throw new Error("lab-child.ts runs as a child of npm run abuse-check (needs an IPC channel)");
  const lab = await startLocalLab();
  const address: LabAddress = {
    gatewayUrl: lab.gatewayUrl,
    backendUrl: lab.backendUrl,
    managementUrl: lab.managementUrl,
    subscriptionKey: lab.subscriptionKey,
    managementToken: lab.managementToken,
    apimServiceId: lab.apimServiceId,
    apiId: lab.apiId,
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on("message", async (msg: { type: string }) => {
    if (msg.type === "usage") {
      gc?.();
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      const usage: LabProcessUsage = {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        cpuMs: (cpu.user + cpu.system) / 1000,
        activeBackendStreams: lab.activeBackendStreams(),
      };
      process.send!({ type: "usage", ...usage });
    } else if (msg.type === "exit") {
      await lab.close();
      process.exit(0);
    }
  });
  process.send({ type: "ready", lab: address });
}

main().catch((error) => {
  process.stderr.write(`abuse-check lab: ${(error as Error).message}\n`);
  process.exit(1);
});

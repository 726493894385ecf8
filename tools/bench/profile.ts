/** `npm run bench -- --profile`: where the lab's processes spent their time over the measured spans. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Top functions by self time over the measured spans of one process (its profiles `<role>-N.cpuprofile`). */
export function profileSummary(dir: string, role: string, top = 15): string[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(role + "-") && f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
      nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const f = byId.get(id)!.callFrame;
      const where = f.url ? `${f.url.replace(/^.*\/(node_modules|lib|bin)\//, "$1/")}:${f.lineNumber + 1}` : "";
      const name = `${f.functionName || "(anonymous)"} ${where}`.trim();
      if (name === "(idle)") return; // shares of busy time
      const dt = profile.timeDeltas[i] ?? 0;
      self.set(name, (self.get(name) ?? 0) + dt);
      total += dt;
    });
  }
  if (total === 0) return ["(no profile written)"];
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
}

/**
 * What `npm run test:kernels` and `npm run test:ui` run: the notebook named as their one
 * argument (default the lab's), or the self-test notebook with --self-test; the kernels
 * named by --kernel (default both).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { oneOf, UsageError } from "../cli";
import { kernelNames, repoRoot, type KernelName } from "./kernels";

export function notebookAndKernels(positionals: string[], selfTest: boolean, kernel: string[] | undefined): { notebook: string; kernels: KernelName[] } {
  if (positionals.length > 1) throw new UsageError(`one notebook at a time, got ${positionals.length}`);
  if (selfTest && positionals.length > 0) throw new UsageError("--self-test runs its own notebook: leave out the notebook's path");
  const notebook = selfTest
    ? path.join(repoRoot, "test", "fixtures", "kernels", "self-test.ipynb")
    : path.resolve(positionals[0] ?? path.join(repoRoot, "notebooks", "streaming.ipynb"));
  if (!existsSync(notebook)) throw new UsageError(`no notebook at ${notebook}`);
  const named = (kernel ?? []).map((k) => oneOf("kernel", k, kernelNames));
  return { notebook, kernels: named.length > 0 ? named : [...kernelNames] };
}

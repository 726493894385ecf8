/**
 * Runs a notebook in real Jupyter kernels, tslab and Deno, and checks each executed notebook
 * (tools/notebook/nbconvert.ts; the checks in check.ts, the facts per notebook in facts.ts).
 *
 *   npm run test:kernels                       notebooks/streaming.ipynb under both kernels
 *   npm run test:kernels -- some.ipynb         another notebook
 *   npm run test:kernels -- --kernel deno      one kernel only
 *   npm run test:kernels -- --self-test        proves that a failing cell, a cell without
 *                                              output, a too long or too wide output and
 *                                              tslab without the lab's comm handling make
 *                                              the check fail
 *
 * Before the notebook, each kernel gets the comm messages of a notebook front end
 * (tools/notebook/comms.ts). Executed notebooks go to out/kernels/<kernel>.ipynb
 * (<name>-<kernel>.ipynb for other notebooks). Exit code 0 only when every run passes.
 */
import path from "node:path";
import { mask } from "../lib/report/mask";
import { integer, runCommand } from "../tools/cli";
import { commProblems, probeComms, withPlainTslabSpec } from "../tools/notebook/comms";
import { registerKernels, repoRoot, type KernelName } from "../tools/notebook/kernels";
import { notebookAndKernels } from "../tools/notebook/command-args";
import { runInKernels, type KernelRunOptions } from "../tools/notebook/nbconvert";

const command = {
  run: "npm run test:kernels",
  usage: [
    "usage: npm run test:kernels -- [notebook.ipynb] [--kernel tslab|deno]... [--self-test] [--cell-timeout s] [--run-timeout s]",
    "  defaults: notebooks/streaming.ipynb, both kernels, 180 s a cell, 600 s a run",
  ].join("\n"),
  options: {
    kernel: { type: "string", multiple: true },
    "self-test": { type: "boolean" },
    "cell-timeout": { type: "string", default: "180" },
    "run-timeout": { type: "string", default: "600" },
  },
  allowPositionals: true,
} as const;

runCommand(command, async ({ values, positionals }) => {
  const selfTest = values["self-test"] === true;
  const { notebook, kernels } = notebookAndKernels(positionals, selfTest, values.kernel);
  const options: KernelRunOptions = {
    notebook,
    kernels,
    cellTimeoutSeconds: integer("cell-timeout", values["cell-timeout"], 1),
    runTimeoutSeconds: integer("run-timeout", values["run-timeout"], 1),
  };
  const commIssues = await checkComms(options.kernels);
  const { problems, results } = await runInKernels(options);
  problems.unshift(...commIssues);
  if (selfTest) {
    // The self-test notebook has a cell that throws, a cell that shows nothing, one too long
    // and one too wide; the harness must report each under every kernel, or it cannot be
    // trusted. So must the comm check, on tslab without the lab's comm handling.
    const missed: string[] = [];
    for (const kernel of options.kernels) {
      if (!problems.some((p) => p.startsWith(`${kernel}: cell fails failed`))) missed.push(`${kernel}: the failing cell was not reported`);
      if (!problems.some((p) => p.startsWith(`${kernel}: cell silent has no output`))) missed.push(`${kernel}: the cell without output was not reported`);
      if (!problems.some((p) => p.startsWith(`${kernel}: cell too-long, output 1: 31 lines`))) missed.push(`${kernel}: the 31-line output was not reported`);
      if (!problems.some((p) => p.startsWith(`${kernel}: cell too-wide, output 1: a line of 115 columns`))) missed.push(`${kernel}: the 115-column line was not reported`);
    }
    const plain = await withPlainTslabSpec(async (jupyterPath, kernel) => commProblems(await probeComms(kernel, jupyterPath)));
    console.log(`tslab as it comes, comm messages: ${plain.length} problem(s)${plain.length ? `, e.g. ${plain[0]}` : ""}`);
    if (plain.length === 0) missed.push("tslab without the lab's comm handling passed the comm check");
    if (missed.length > 0) {
      console.log(`\nself-test FAILED:\n  ${missed.join("\n  ")}`);
      return 1;
    }
    console.log("\nself-test ok: the harness reports a failing cell, a cell without output, an output too long or too wide under every kernel, and plain tslab's comm lines");
    return 0;
  }
  const times = results.map((r) => `${r.kernel} ${r.seconds.toFixed(1)} s`).join(", ");
  if (problems.length > 0) {
    console.log(mask(`\nFAILED (${times}): ${problems.length} problem(s)`));
    return 1;
  }
  console.log(`\nok: ${path.relative(repoRoot, notebook)} under ${options.kernels.join(" and ")} (${times})`);
  return 0;
});

/** Each kernel gets a front end's comm messages (comm_probe.py, through jupyter_client). */
async function checkComms(kernels: readonly KernelName[]): Promise<string[]> {
  registerKernels();
  const problems: string[] = [];
  for (const kernel of kernels) {
    const found = commProblems(await probeComms(kernel));
    console.log(`${kernel}: comm messages ${found.length === 0 ? "taken quietly" : `${found.length} problem(s)`}`);
    for (const p of found) console.log(`  ${kernel}: ${p}`);
    problems.push(...found.map((p) => `${kernel}: comm messages: ${p}`));
  }
  return problems;
}

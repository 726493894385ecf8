/**
 * A notebook run in real Jupyter kernels, tslab and Deno, with Jupyter's nbconvert (Debian
 * packages; `scripts/install-jupyter.sh` installs them), each executed notebook checked
 * (check.ts, with the notebook's facts from facts.ts; output-rules.ts, the front ends'
 * limits) and the kernels compared.
 * `npm run test:kernels` (bin/test-kernels.ts) is the command.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { mask } from "../../lib/report/mask";
import { checkExecuted, compareKernels, type NotebookJson } from "./check";
import { factsFor } from "./facts";
import { outputRuleProblems } from "./output-rules";
import { registerKernels, repoJupyterPath, repoRoot, type KernelName } from "./kernels";

export interface KernelRunOptions {
  notebook: string;
  kernels: readonly KernelName[];
  cellTimeoutSeconds: number;
  runTimeoutSeconds: number;
  /** Progress lines (the terminal by default). */
  log?: (line: string) => void;
}

export interface KernelRun {
  kernel: KernelName;
  output: string;
  seconds: number;
  exitCode: number | null;
  log: string;
  notebook?: NotebookJson;
}

/** Debian's jupyter first: a pyenv or venv `jupyter` earlier on PATH may lack nbconvert. */
function jupyterCommand(): string {
  if (process.env.JUPYTER) return process.env.JUPYTER;
  if (existsSync("/usr/bin/jupyter")) return "/usr/bin/jupyter";
  return "jupyter";
}

/** One nbconvert run, in its own process group so that a hung kernel can be killed with it. */
function execute(notebook: string, kernel: KernelName, outputFile: string, options: KernelRunOptions): Promise<KernelRun> {
  const args = [
    "nbconvert",
    "--to", "notebook",
    "--execute",
    // Keep going after a failing cell: the executed notebook then shows which cell
    // failed and the checks report it, instead of nbconvert writing nothing.
    "--allow-errors",
    // Records each cell's execute_reply status in the notebook (tslab reports failures only there).
    `--config=${path.join(__dirname, "nbconvert_config.py")}`,
    `--ExecutePreprocessor.kernel_name=${kernel}`,
    `--ExecutePreprocessor.timeout=${options.cellTimeoutSeconds}`,
    "--ExecutePreprocessor.startup_timeout=120",
    "--output-dir", path.dirname(outputFile),
    "--output", path.basename(outputFile),
    notebook,
  ];
  const env = {
    ...process.env,
    JUPYTER_PATH: [repoJupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    // ipykernel's debugger warning about frozen modules, printed by every Python start.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    DENO_NO_UPDATE_CHECK: "1",
  };
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(jupyterCommand(), args, { cwd: repoRoot, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      log += `\n(killed: the run took longer than ${options.runTimeoutSeconds} s)`;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.runTimeoutSeconds * 1000);
    child.on("error", (error) => {
      log += `\n${error.message}`;
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      const result: KernelRun = { kernel, output: outputFile, seconds: (performance.now() - started) / 1000, exitCode, log };
      if (existsSync(outputFile)) result.notebook = JSON.parse(readFileSync(outputFile, "utf8")) as NotebookJson;
      resolve(result);
    });
  });
}

/** out/kernels/<kernel>.ipynb for the lab's notebook, <name>-<kernel>.ipynb for others. */
function outputFileFor(notebook: string, kernel: KernelName): string {
  const dir = path.join(repoRoot, "out", "kernels");
  const name = path.basename(notebook, ".ipynb");
  return path.join(dir, name === "streaming" ? `${kernel}.ipynb` : `${name}-${kernel}.ipynb`);
}

/** Runs the notebook under each kernel; returns the problems found, per kernel and across. */
export async function runInKernels(options: KernelRunOptions): Promise<{ problems: string[]; results: KernelRun[] }> {
  const log = options.log ?? ((line: string) => console.log(line));
  registerKernels();
  mkdirSync(path.join(repoRoot, "out", "kernels"), { recursive: true });
  const facts = factsFor(options.notebook);
  const problems: string[] = [];
  const results: KernelRun[] = [];
  // One kernel at a time: the local lab's timings (and Deno's output queue) suffer
  // when two notebooks compete for two cores.
  for (const kernel of options.kernels) {
    const output = outputFileFor(options.notebook, kernel);
    log(`${kernel}: running ${path.relative(repoRoot, options.notebook)} ...`);
    const result = await execute(options.notebook, kernel, output, options);
    results.push(result);
    const found = result.notebook
      ? [...checkExecuted(result.notebook, facts), ...outputRuleProblems(result.notebook)]
      : [`nbconvert wrote no notebook (exit code ${result.exitCode}); its last output:\n${lastLines(result.log, 15)}`];
    if (result.notebook && result.exitCode !== 0) found.push(`nbconvert exited with ${result.exitCode}: ${lastLines(result.log, 3)}`);
    const status = found.length === 0 ? "ok" : `${found.length} problem(s)`;
    log(`${kernel}: ${status} in ${result.seconds.toFixed(1)} s -> ${path.relative(repoRoot, output)}`);
    for (const p of found) log(`  ${kernel}: ${mask(p)}`);
    problems.push(...found.map((p) => `${kernel}: ${p}`));
  }
  const executed = Object.fromEntries(results.filter((r) => r.notebook).map((r) => [r.kernel, r.notebook as NotebookJson]));
  if (Object.keys(executed).length > 1) {
    const across = compareKernels(executed);
    for (const p of across) log(`  across kernels: ${mask(p)}`);
    problems.push(...across);
  }
  return { problems, results };
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/**
 * Runs a notebook in real Jupyter kernels, tslab and Deno, with Jupyter's nbconvert
 * (Debian packages; `scripts/install-jupyter.sh` installs them), and checks each executed notebook.
 *
 *   npm run test:kernels                       notebooks/streaming.ipynb under both kernels
 *   npm run test:kernels -- some.ipynb         another notebook
 *   npm run test:kernels -- --kernel deno      one kernel only
 *   npm run test:kernels -- --self-test        proves that a failing cell and a cell
 *                                              without output make the check fail
 *
 * Executed notebooks go to out/kernels/<kernel>.ipynb (<name>-<kernel>.ipynb for other
 * notebooks). The checks are in test/kernels/check.ts, the facts per notebook in
 * test/kernels/facts.ts. Exit code 0 only when every run passes.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { mask } from "../lib/report/mask";
import { checkExecuted, compareKernels, type NotebookJson } from "../test/kernels/check";
import { factsFor } from "../test/kernels/facts";
import { kernelNames, registerKernels, repoJupyterPath, repoRoot, type KernelName } from "./kernels";

interface Options {
  notebook: string;
  kernels: KernelName[];
  selfTest: boolean;
  cellTimeoutSeconds: number;
  runTimeoutSeconds: number;
}

const usage =
  "usage: npm run test:kernels -- [notebook.ipynb] [--kernel tslab|deno]... [--self-test] [--cell-timeout s] [--run-timeout s]";

function parseArgs(args: string[]): Options {
  const options: Options = {
    notebook: path.join(repoRoot, "notebooks", "streaming.ipynb"),
    kernels: [],
    selfTest: false,
    cellTimeoutSeconds: 180,
    runTimeoutSeconds: 600,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) fail(`${arg} needs a value\n${usage}`);
      return v;
    };
    if (arg === "--kernel") {
      const k = value();
      if (!kernelNames.includes(k as KernelName)) fail(`unknown kernel ${k}: one of ${kernelNames.join(", ")}`);
      options.kernels.push(k as KernelName);
    } else if (arg === "--self-test") options.selfTest = true;
    else if (arg === "--cell-timeout") options.cellTimeoutSeconds = positive(value(), arg);
    else if (arg === "--run-timeout") options.runTimeoutSeconds = positive(value(), arg);
    else if (arg.startsWith("--")) fail(`unknown option ${arg}\n${usage}`);
    else options.notebook = path.resolve(arg);
  }
  if (options.kernels.length === 0) options.kernels = [...kernelNames];
  if (options.selfTest) options.notebook = path.join(repoRoot, "test", "fixtures", "kernels", "self-test.ipynb");
  return options;
}

function positive(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) fail(`${name} must be a positive number of seconds`);
  return n;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Debian's jupyter first: a pyenv or venv `jupyter` earlier on PATH may lack nbconvert. */
function jupyterCommand(): string {
  if (process.env.JUPYTER) return process.env.JUPYTER;
  if (existsSync("/usr/bin/jupyter")) return "/usr/bin/jupyter";
  return "jupyter";
}

interface RunResult {
  kernel: KernelName;
  output: string;
  seconds: number;
  exitCode: number | null;
  log: string;
  notebook?: NotebookJson;
}

/** One nbconvert run, in its own process group so that a hung kernel can be killed with it. */
function execute(notebook: string, kernel: KernelName, outputFile: string, options: Options): Promise<RunResult> {
  const args = [
    "nbconvert",
    "--to", "notebook",
    "--execute",
    // Keep going after a failing cell: the executed notebook then shows which cell
    // failed and the checks report it, instead of nbconvert writing nothing.
    "--allow-errors",
    // Records each cell's execute_reply status in the notebook (tslab reports failures only there).
    `--config=${path.join(repoRoot, "test", "kernels", "nbconvert_config.py")}`,
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
      const result: RunResult = { kernel, output: outputFile, seconds: (performance.now() - started) / 1000, exitCode, log };
      if (existsSync(outputFile)) result.notebook = JSON.parse(readFileSync(outputFile, "utf8")) as NotebookJson;
      resolve(result);
    });
  });
}

function outputFileFor(notebook: string, kernel: KernelName): string {
  const dir = path.join(repoRoot, "out", "kernels");
  const name = path.basename(notebook, ".ipynb");
  return path.join(dir, name === "streaming" ? `${kernel}.ipynb` : `${name}-${kernel}.ipynb`);
}

/** Runs the notebook under each kernel; returns the problems found, per kernel and across. */
async function runAll(options: Options): Promise<{ problems: string[]; results: RunResult[] }> {
  if (!existsSync(options.notebook)) fail(`no notebook at ${options.notebook}`);
  registerKernels();
  mkdirSync(path.join(repoRoot, "out", "kernels"), { recursive: true });
  const facts = factsFor(options.notebook);
  const problems: string[] = [];
  const results: RunResult[] = [];
  // One kernel at a time: the local lab's timings (and Deno's output queue) suffer
  // when two notebooks compete for two cores.
  for (const kernel of options.kernels) {
    const output = outputFileFor(options.notebook, kernel);
    console.log(`${kernel}: running ${path.relative(repoRoot, options.notebook)} ...`);
    const result = await execute(options.notebook, kernel, output, options);
    results.push(result);
    const found = result.notebook
      ? checkExecuted(result.notebook, facts)
      : [`nbconvert wrote no notebook (exit code ${result.exitCode}); its last output:\n${lastLines(result.log, 15)}`];
    if (result.notebook && result.exitCode !== 0) found.push(`nbconvert exited with ${result.exitCode}: ${lastLines(result.log, 3)}`);
    const status = found.length === 0 ? "ok" : `${found.length} problem(s)`;
    console.log(`${kernel}: ${status} in ${result.seconds.toFixed(1)} s -> ${path.relative(repoRoot, output)}`);
    for (const p of found) console.log(`  ${kernel}: ${mask(p)}`);
    problems.push(...found.map((p) => `${kernel}: ${p}`));
  }
  const executed = Object.fromEntries(results.filter((r) => r.notebook).map((r) => [r.kernel, r.notebook as NotebookJson]));
  if (Object.keys(executed).length > 1) {
    const across = compareKernels(executed);
    for (const p of across) console.log(`  across kernels: ${mask(p)}`);
    problems.push(...across);
  }
  return { problems, results };
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.selfTest) {
    // The self-test notebook has a cell that throws and a cell that shows nothing;
    // the harness must report both under every kernel, or it cannot be trusted.
    const { problems } = await runAll(options);
    const missed: string[] = [];
    for (const kernel of options.kernels) {
      if (!problems.some((p) => p.startsWith(`${kernel}: cell fails failed`))) missed.push(`${kernel}: the failing cell was not reported`);
      if (!problems.some((p) => p.startsWith(`${kernel}: cell silent has no output`))) missed.push(`${kernel}: the cell without output was not reported`);
    }
    if (missed.length > 0) {
      console.log(`\nself-test FAILED:\n  ${missed.join("\n  ")}`);
      process.exit(1);
    }
    console.log("\nself-test ok: the harness reports a failing cell and a cell without output under every kernel");
    return;
  }
  const { problems, results } = await runAll(options);
  const times = results.map((r) => `${r.kernel} ${r.seconds.toFixed(1)} s`).join(", ");
  if (problems.length > 0) {
    console.log(`\nFAILED (${times}): ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`\nok: ${path.relative(repoRoot, options.notebook)} under ${options.kernels.join(" and ")} (${times})`);
}

main().catch((error: unknown) => {
  console.error(mask(error instanceof Error ? (error.stack ?? error.message) : String(error)));
  process.exit(1);
});

/**
 * Do the lab's kernels take Jupyter's comm messages quietly? The widgets extension of Debian's
 * Jupyter Notebook opens a comm whenever it connects to a kernel; plain tslab printed a red
 * "unknown msg_type: comm_open" under the cell that was running (tslab-comms.cjs is the fix).
 * comm_probe.py sends the messages through jupyter_client; `commProblems` judges its report.
 * Part of `npm run test:kernels`, which needs Jupyter anyway; `--self-test` proves the check
 * fails on plain tslab.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoJupyterPath, repoRoot } from "./kernels";

/** What comm_probe.py prints. */
export interface CommProbeReport {
  kernel: string;
  error?: string;
  stderr_on_iopub?: string[];
  comm_close_for_idle_open?: boolean;
  comm_close_for_busy_open?: boolean;
  shell_replies?: string[];
  cell_after?: { status: string; stdout: string };
  kernel_stderr?: string;
}

/** Everything wrong in a probe's report; empty when the kernel took the comm messages quietly. */
export function commProblems(report: CommProbeReport): string[] {
  if (report.error) return [`the kernel did not get through the comm messages: ${report.error}`];
  const problems: string[] = [];
  for (const text of report.stderr_on_iopub ?? []) problems.push(`a comm message put a red line into the notebook: ${JSON.stringify(text.trim())}`);
  const logged = (report.kernel_stderr ?? "").split("\n").filter((line) => /unknown msg_type|comm/i.test(line));
  for (const line of logged) problems.push(`the kernel logged a comm message: ${JSON.stringify(line.trim())}`);
  if (!report.comm_close_for_idle_open || !report.comm_close_for_busy_open) {
    problems.push("a comm_open was not answered with comm_close (Jupyter's messaging spec asks for one when the target is unknown)");
  }
  if (!(report.shell_replies ?? []).includes("comm_info_reply")) problems.push("no comm_info_reply to a comm_info_request");
  if (report.cell_after?.status !== "ok" || report.cell_after.stdout.trim() !== "42") {
    problems.push(`the kernel did not run a cell after the comm messages (got ${JSON.stringify(report.cell_after ?? null)})`);
  }
  return problems;
}

/** Debian's python3 has jupyter_client; a pyenv or venv python3 earlier on PATH may not. */
function python(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/** Runs comm_probe.py against a kernel spec found in `jupyterPath` (the lab's by default). */
export function probeComms(kernel: string, jupyterPath: string = repoJupyterPath, timeoutMs = 180_000): Promise<CommProbeReport> {
  const env = { ...process.env, JUPYTER_PATH: jupyterPath, PYDEVD_DISABLE_FILE_VALIDATION: "1", DENO_NO_UPDATE_CHECK: "1" };
  return new Promise((resolve) => {
    const child = spawn(python(), [path.join(__dirname, "comm_probe.py"), kernel], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => (err += error.message));
    child.on("close", () => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as CommProbeReport);
      } catch {
        resolve({ kernel, error: `comm_probe.py gave no report (${err.trim().split("\n").pop() || "no output"})` });
      }
    });
  });
}

/**
 * A kernel spec for tslab as it comes, without the lab's comm handling, in a folder of its
 * own: what the self-test runs the probe against, to show that the check can fail.
 */
export function withPlainTslabSpec<T>(run: (jupyterPath: string, kernel: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), "lab-plain-tslab-"));
  const spec = path.join(dir, "kernels", "tslab-plain");
  mkdirSync(spec, { recursive: true });
  const tslab = path.join(repoRoot, "node_modules", "tslab", "bin", "tslab");
  const argv = [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"];
  writeFileSync(path.join(spec, "kernel.json"), JSON.stringify({ argv, display_name: "tslab as it comes", language: "typescript" }));
  return run(dir, "tslab-plain").finally(() => rmSync(dir, { recursive: true, force: true }));
}

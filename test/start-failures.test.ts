/**
 * `npm start` when something is wrong outside the lab's code, as a user meets it: the run
 * stops at the step that failed and says why, and what to do, in its last line.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

function start(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const out = join(mkdtempSync(join(tmpdir(), "lab-start-")), "streaming.ipynb");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bin/start.ts", "--out", out, ...args], { cwd: process.cwd(), env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const steps = (stdout: string) => [...stdout.matchAll(/^━━ \[\d+\/\d+\] (.*)$/gm)].map((m) => m[1]);

// Two headless runs at once: each spends most of its time compiling the cells.
describe("npm start stops at the failing step", { concurrency: 2 }, () => {
  test("a model deployment that does not exist stops the run at the raw HTTP step, with the 404 and what to do", { timeout: 120_000 }, async () => {
    const run = await start(["--openai-deployment-name", "no-such-model"]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(steps(run.stdout).at(-1), "3. 🧪 A direct HTTP call, streamed", "no step after the failing one runs");
    const last = run.stderr.trimEnd().split("\n").at(-1);
    assert.equal(
      last,
      '✖ Step "3. 🧪 A direct HTTP call, streamed" failed: ModelCallError: HTTP 404: DeploymentNotFound: The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again. (the run stops here: check the model deployment\'s name (openaiDeploymentName) and the gateway URL, then run the cell again)',
    );
  });

  test("on Azure without the Azure CLI, the run stops at step 1 and names the missing CLI in one complete line", { timeout: 120_000 }, async () => {
    const noAz = mkdtempSync(join(tmpdir(), "no-az-"));
    const run = await start(["--target", "azure", "--deployment-name", "my-lab"], { ...process.env, PATH: noAz, AZURE_SUBSCRIPTION_ID: "00000000-0000-0000-0000-000000000001" });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(steps(run.stdout).at(-1), "1. The deployment outputs");
    assert.equal(
      run.stderr.trimEnd().split("\n").at(-1),
      '✖ Step "1. The deployment outputs" failed: ManagementError: the Azure CLI (az) is not installed or not on PATH, and the lab signs in to Azure with it: install it (https://aka.ms/azure-cli), run `az login`, then run this step again',
    );
  });
});

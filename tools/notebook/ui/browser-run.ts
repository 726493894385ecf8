/**
 * Runs a notebook as an attendee would: Debian's classic Jupyter Notebook (6.4) in headless
 * Debian Chromium, driven by puppeteer-core (pinned 24.43.1: the last release that runs on
 * Node 20; it downloads no browser), Run All on each kernel, then reads the page
 * (measure.cjs) and takes screenshots. What was found in the spike for issue 19 and is
 * relied on here:
 * - `?kernel_name=` starts that kernel for a notebook without a session (notebook.js);
 * - Run All is started as soon as the session exists, before the kernel is ready, as a
 *   person who clicks at once: then the widgets extension's comm_open reaches tslab while a
 *   cell runs, so a comm regression shows as red stderr;
 * - done = no cell running, the kernel idle, and finished_execute.CodeCell once per cell
 *   (a cell after a failed one is aborted and gets no execution number);
 * - the session is deleted and awaited before the next page: a page opened on a path whose
 *   session is still being deleted attaches to the dying kernel;
 * - `#site` is the scroll container; it is unrolled for the full-page screenshot.
 * The notebook is copied under out/ui/ (the kernels work from the lab's root, so its
 * imports resolve); autosave is off and checkpoints go to a temporary folder, so the
 * checkout is not written to.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { repoJupyterPath, repoRoot, type KernelName } from "../kernels";
import { uiProblems, type PageMeasurement } from "./checks";
import { measureNotebook } from "./measure.cjs";

export interface UiRunOptions {
  notebook: string;
  kernels: KernelName[];
  /** Screenshots, measurements and the server's log go here. */
  outDir: string;
  chromium: string;
  width: number;
  height: number;
  /** Seconds for one Run All. */
  timeoutSeconds: number;
}

export interface KernelUiResult {
  kernel: KernelName;
  problems: string[];
  runAllSeconds: number;
  outputColumns: number | null;
  /** Per cell with a live view: how many states it showed while it ran. */
  liveViews: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface NotebookServer {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** `jupyter notebook` on a free port of 127.0.0.1, the lab's kernels, its own config folders. */
async function startNotebookServer(logFile: string): Promise<NotebookServer> {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const scratch = mkdtempSync(path.join(tmpdir(), "lab-ui-"));
  const env = {
    ...process.env,
    JUPYTER_PATH: repoJupyterPath,
    // No user settings; /etc/jupyter is still read, so the widgets extension is on, as for an attendee.
    JUPYTER_CONFIG_DIR: path.join(scratch, "config"),
    JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
    JUPYTER_DATA_DIR: path.join(scratch, "data"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  const args = [
    "notebook",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--port-retries=0",
    `--NotebookApp.token=${token}`,
    "--NotebookApp.password=",
    `--notebook-dir=${repoRoot}`,
    // Opening a notebook creates .ipynb_checkpoints beside it, even without a save.
    `--FileCheckpoints.checkpoint_dir=${path.join(scratch, "checkpoints")}`,
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ];
  const log = openSync(logFile, "w");
  const child: ChildProcess = spawn("jupyter", args, { env, stdio: ["ignore", log, log], detached: true });
  closeSync(log);
  let exited = false;
  child.on("exit", () => (exited = true));
  child.on("error", () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM"); // the server's process group
      } catch {
        // already gone
      }
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) process.kill(-child.pid, "SIGKILL");
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  const started = Date.now();
  for (;;) {
    if (exited) throw new Error(`jupyter notebook stopped at once: see ${logFile} (install it: sh scripts/install-jupyter.sh --ui)`);
    if (Date.now() - started > 60_000) {
      await stop();
      throw new Error(`jupyter notebook did not answer in 60 s: see ${logFile}`);
    }
    try {
      const response = await fetch(`${url}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return { url, token, stop };
}

async function waitFor(page: Page, fn: string, timeoutMs: number, what: string): Promise<void> {
  try {
    await page.waitForFunction(fn, { timeout: timeoutMs, polling: 100 });
  } catch {
    throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
  }
}

/** The ids of a notebook's non-empty code cells, in order: the page does not know them. */
function codeCellIds(notebookFile: string): string[] {
  const notebook = JSON.parse(readFileSync(notebookFile, "utf8")) as { cells: { cell_type: string; id?: string; source: string | string[] }[] };
  return notebook.cells
    .filter((c) => c.cell_type === "code" && (Array.isArray(c.source) ? c.source.join("") : c.source).trim() !== "")
    .map((c, i) => c.id ?? `#${i + 1}`);
}

async function runKernel(browser: Browser, server: NotebookServer, options: UiRunOptions, kernel: KernelName): Promise<KernelUiResult> {
  const copy = path.join(options.outDir, `${path.basename(options.notebook, ".ipynb")}-${kernel}-${process.pid}.ipynb`);
  copyFileSync(options.notebook, copy);
  const ids = codeCellIds(copy);
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error instanceof Error ? error.message : String(error)));
  try {
    await page.setViewport({ width: options.width, height: options.height });
    const notebookPath = path.relative(repoRoot, copy).split(path.sep).map(encodeURIComponent).join("/");
    await page.goto(`${server.url}/notebooks/${notebookPath}?token=${server.token}&kernel_name=${kernel}`, { waitUntil: "domcontentloaded" });
    await waitFor(page, "window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded", 60_000, "the notebook page");
    await page.evaluate("Jupyter.notebook.set_autosave_interval(0)");
    await waitFor(page, "Jupyter.notebook.kernel && !Jupyter.notebook._session_starting", 60_000, `a ${kernel} session`);
    await page.evaluate(`(() => {
      window.__finished = 0;
      Jupyter.notebook.events.on("finished_execute.CodeCell", () => window.__finished++);
      // While cells run: the live views (lib/report/live.ts) each cell shows at once, and
      // how many states they went through: one place redrawn, not rows piling up.
      window.__live = {};
      window.__sampler = setInterval(() => {
        Jupyter.notebook.get_cells().forEach((cell, i) => {
          if (cell.cell_type !== "code") return;
          const views = [...cell.output_area.element[0].querySelectorAll(".output_html")].filter((el) => /^\\d+ events(,| so far)/.test(el.textContent));
          if (!views.length) return;
          const seen = (window.__live[i] = window.__live[i] || { most: 0, states: new Set() });
          seen.most = Math.max(seen.most, views.length);
          if (seen.states.size < 1000) seen.states.add(views[0].textContent.length + ":" + views[0].textContent.slice(0, 40));
        });
      }, 25);
      Jupyter.notebook.execute_all_cells();
    })()`);
    const started = Date.now();
    await waitFor(
      page,
      `(() => {
        const code = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code" && c.get_text().trim() !== "");
        const running = code.some((c) => c.element[0].classList.contains("running"));
        const idle = document.querySelector("#kernel_indicator_icon").classList.contains("kernel_idle_icon");
        return !running && idle && window.__finished >= code.length;
      })()`,
      options.timeoutSeconds * 1000,
      `Run All on ${kernel}`,
    );
    const runAllSeconds = (Date.now() - started) / 1000;
    await sleep(500); // late output, and the UI folds outputs on resize
    const measured = (await page.evaluate(measureNotebook)) as PageMeasurement;
    const live = (await page.evaluate(`(() => {
      clearInterval(window.__sampler);
      return Object.entries(window.__live).map(([index, seen]) => ({ index: Number(index), most: seen.most, states: seen.states.size }));
    })()`)) as { index: number; most: number; states: number }[];
    for (const cell of measured.cells) {
      const seen = live.find((l) => l.index === cell.index);
      if (seen) cell.liveView = { most: seen.most, states: seen.states };
    }
    measured.cells.forEach((cell, i) => (cell.id = ids[i] ?? cell.id));
    const problems = [...uiProblems(measured), ...pageErrors.map((e) => `the page raised: ${e}`)];
    if (measured.kernel !== kernel) problems.push(`the notebook ran on ${measured.kernel}, not ${kernel}`);
    const base = path.join(options.outDir, kernel);
    writeFileSync(`${base}.json`, JSON.stringify(measured, null, 1) + "\n");
    await page.evaluate(`document.querySelector("#site").scrollTop = 0`);
    await page.screenshot({ path: `${base}-top.png` });
    await page.evaluate(`(() => {
      for (const el of [document.querySelector("#site"), document.body]) { el.style.height = "auto"; el.style.overflow = "visible"; }
    })()`);
    await page.screenshot({ path: `${base}-full.png`, fullPage: true });
    const cells = await page.$$(".cell.code_cell");
    for (const [i, cell] of cells.entries()) if (ids[i]) await cell.screenshot({ path: `${base}-cell-${ids[i]}.png` });
    const liveViews = measured.cells.filter((c) => c.liveView).map((c) => `${c.id} ${c.liveView!.states} states`);
    return { kernel, problems, runAllSeconds, outputColumns: measured.outputColumns, liveViews };
  } finally {
    // The kernel goes with its session; the next page must not find it dying.
    await page
      .evaluate(`new Promise((resolve) => {
        window.onbeforeunload = null;
        if (!(Jupyter.notebook && Jupyter.notebook.session)) return resolve();
        Jupyter.notebook.session.delete(resolve, resolve);
        setTimeout(resolve, 15000);
      })`)
      .catch(() => undefined);
    await page.close().catch(() => undefined);
    rmSync(copy, { force: true });
  }
}

/** Deletes every session left on the server (their kernels run in process groups of their own). */
async function deleteSessions(server: NotebookServer): Promise<void> {
  const auth = { Authorization: `token ${server.token}` };
  try {
    const sessions = (await (await fetch(`${server.url}/api/sessions`, { headers: auth })).json()) as { id: string }[];
    for (const s of sessions) await fetch(`${server.url}/api/sessions/${s.id}`, { method: "DELETE", headers: auth });
  } catch {
    // the server is gone already
  }
}

/** Run All per kernel in one server and one browser; a result per kernel. */
export async function runInBrowser(options: UiRunOptions): Promise<KernelUiResult[]> {
  if (!existsSync(options.chromium)) throw new Error(`no browser at ${options.chromium}: install Debian's chromium (sh scripts/install-jupyter.sh --ui), or give --chromium`);
  mkdirSync(options.outDir, { recursive: true });
  const puppeteer = (await import("puppeteer-core")).default;
  const server = await startNotebookServer(path.join(options.outDir, "notebook-server.log"));
  const profile = mkdtempSync(path.join(tmpdir(), "lab-ui-chromium-"));
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: options.chromium,
      headless: true,
      userDataDir: profile,
      // waitForFunction is bounded by the protocol's timeout too (180 s by default).
      protocolTimeout: (options.timeoutSeconds + 120) * 1000,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const results: KernelUiResult[] = [];
    for (const kernel of options.kernels) results.push(await runKernel(browser, server, options, kernel));
    return results;
  } finally {
    await browser?.close().catch(() => undefined);
    await deleteSessions(server);
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
  }
}

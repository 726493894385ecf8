/**
 * Runs a notebook's code cells in order, headless, through the same tslab engine
 * the Jupyter kernel uses, and writes the executed notebook with its outputs.
 * No Python or Jupyter needed. tslab's converter and executor are internal
 * modules, not a public API: the tslab version is pinned and `npm test` runs this.
 * `npm start` (bin/start.ts) is the command.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { mask } from "../../lib/report/mask";
import { findLab } from "./kernel-launcher.cjs";

const LAB_ROOT = resolve(__dirname, "..", "..");

export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  metadata: { tags?: string[]; [key: string]: unknown };
  source: string | string[];
  outputs?: CellOutput[];
  execution_count?: number | null;
}

export type CellOutput =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string[] }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export interface RunOptions {
  notebookPath: string;
  /** Where to write the executed notebook; pictures go beside it. */
  outPath: string;
  /** Values for the notebook's `parameters` object, injected after its parameters cell. */
  parameters?: Record<string, string>;
  /** Where progress and cell output go (the terminal by default). */
  write?: (text: string) => void;
  /** Called after the notebook ran (or failed), before the runner returns: e.g. stop servers. */
  cleanup?: () => Promise<void>;
}

export interface StepResult {
  title: string;
  ok: boolean;
  seconds: number;
  error?: string;
}

export interface RunResult {
  ok: boolean;
  steps: StepResult[];
  outPath: string;
  /** Files written beside the notebook (SVG charts). */
  files: string[];
}

export function sourceText(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

/** The cell that sets `parameters`, as papermill would do it: a cell after the one tagged "parameters". */
export function parametersCell(parameters: Record<string, string>): NotebookCell {
  return {
    cell_type: "code",
    id: "injected-parameters",
    metadata: { tags: ["injected-parameters"] },
    source: lines(`// Parameters given to the runner\nObject.assign(parameters, ${JSON.stringify(parameters, null, 2)});\n`),
    outputs: [],
    execution_count: null,
  };
}

/** The notebook with the parameters cell injected (a copy; the input is not changed). */
export function withParameters(notebook: Notebook, parameters: Record<string, string>): Notebook {
  const cells: NotebookCell[] = notebook.cells.map((cell) => (cell.cell_type === "code" ? { ...cell, outputs: [] } : { ...cell }));
  if (Object.keys(parameters).length === 0) return { ...notebook, cells };
  const at = cells.findIndex((cell) => cell.metadata.tags?.includes("parameters"));
  if (at < 0) throw new Error(`the notebook has no cell tagged "parameters" to put parameters after: tag one`);
  cells.splice(at + 1, 0, parametersCell(parameters));
  return { ...notebook, cells };
}

/** A code cell's title: the first heading above it (a step may have several code cells). */
export function stepTitle(cells: NotebookCell[], index: number): string {
  if (cells[index].metadata.tags?.includes("injected-parameters")) return "Parameters given to the runner";
  for (let i = index - 1; i >= 0; i--) {
    if (cells[i].cell_type !== "markdown") continue;
    const heading = sourceText(cells[i]).split("\n").find((line) => /^#+\s/.test(line));
    if (heading) return heading.replace(/^#+\s*/, "").trim();
  }
  return `Cell ${cells[index].id ?? index}`;
}

type DisplayHook = (message: { data: Record<string, unknown>; transient?: { display_id?: string } }, update: boolean) => void;

/**
 * What a terminal prints for a display redrawn in place (lib/report/live.ts): it cannot
 * redraw, so it prints what the new text adds to the old, or all of it.
 */
export function addedText(before: string, after: string): string {
  return after.startsWith(before) ? after.slice(before.length).replace(/^\n/, "") : after;
}

export async function runNotebook(options: RunOptions): Promise<RunResult> {
  // Bound now: while a cell runs, process.stdout.write is the capture below.
  const realStdout = process.stdout.write.bind(process.stdout);
  const realStderr = process.stderr.write.bind(process.stderr);
  const write = options.write ?? ((text: string) => void realStdout(text));
  const notebookPath = resolve(options.notebookPath);
  const outPath = resolve(options.outPath);
  const outDir = dirname(outPath);
  mkdirSync(outDir, { recursive: true });
  const notebook = withParameters(JSON.parse(readFileSync(notebookPath, "utf8")) as Notebook, options.parameters ?? {});

  // tslab compiles local files relative to the working folder: the lab's root, as in the
  // lab's kernels (kernel.cjs), so the cells' `./lib/index` is the lab's lib/.
  const previousCwd = process.cwd();
  process.chdir(findLab(dirname(notebookPath)) ?? LAB_ROOT);
  const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
  const { createExecutor } = require("tslab/dist/executor") as typeof import("tslab/dist/executor");
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: DisplayHook | null };
  const converter = createConverter({ isJS: false, isBrowser: false });
  const executor = createExecutor(process.cwd(), { node: converter, browser: converter, close: () => converter.close() }, console);

  const codeCells = notebook.cells.map((cell, index) => ({ cell, index })).filter(({ cell }) => cell.cell_type === "code");
  const steps: StepResult[] = [];
  const files: string[] = [];
  let count = 0;
  try {
    for (const { cell, index } of codeCells) {
      count++;
      const title = stepTitle(notebook.cells, index);
      write(`\n━━ [${count}/${codeCells.length}] ${title}\n`);
      const outputs: CellOutput[] = [];
      let stderrText = "";
      const capture = (name: "stdout" | "stderr") => (chunk: string | Uint8Array): boolean => {
        const text = mask(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        if (name === "stderr") stderrText += text;
        const last = outputs[outputs.length - 1];
        if (last && last.output_type === "stream" && last.name === name) last.text.push(...lines(text));
        else outputs.push({ output_type: "stream", name, text: lines(text) });
        write(text);
        return true;
      };
      const byId = new Map<string, { output: CellOutput & { output_type: "display_data" }; text: string }>();
      jupyter.lastWriteDisplayData = (message, update) => {
        const data = mask(message.data);
        const id = message.transient?.display_id;
        const known = id === undefined ? undefined : byId.get(id);
        if (update && known) {
          // As Jupyter does: the display keeps its place; the saved notebook has its last state.
          known.output.data = data;
          const text = typeof data["text/plain"] === "string" ? data["text/plain"] : "";
          const added = addedText(known.text, text);
          known.text = text;
          if (added) write(`${added}\n`);
          return;
        }
        const output = { output_type: "display_data" as const, data, metadata: {} };
        outputs.push(output);
        if (id !== undefined) byId.set(id, { output, text: typeof data["text/plain"] === "string" ? data["text/plain"] : "" });
        const svg = data["image/svg+xml"];
        if (typeof svg === "string") {
          const file = join(outDir, `${basename(outPath, ".ipynb")}-${cell.id ?? index}-${files.length + 1}.svg`);
          writeFileSync(file, svg);
          files.push(file);
          write(`[chart saved: ${file}]\n`);
        } else if (typeof data["text/plain"] === "string") {
          write(`${data["text/plain"]}\n`);
        }
      };
      process.stdout.write = capture("stdout") as typeof process.stdout.write;
      process.stderr.write = capture("stderr") as typeof process.stderr.write;
      const started = performance.now();
      let ok = false;
      try {
        ok = await executor.execute(sourceText(cell));
      } finally {
        process.stdout.write = realStdout;
        process.stderr.write = realStderr;
        jupyter.lastWriteDisplayData = null;
      }
      const seconds = (performance.now() - started) / 1000;
      cell.execution_count = count;
      const error = ok ? undefined : lastLine(stderrText) || "the cell failed";
      if (error !== undefined) {
        const [ename, ...rest] = error.includes(": ") ? error.split(": ") : ["Error", error];
        outputs.push({ output_type: "error", ename, evalue: rest.join(": ") || error, traceback: [] });
      }
      cell.outputs = outputs;
      steps.push({ title, ok, seconds, error });
      write(`── ${ok ? "done" : "FAILED"} in ${seconds.toFixed(1)} s\n`);
      if (!ok) break;
    }
  } finally {
    writeFileSync(outPath, JSON.stringify(notebook, null, 1) + "\n");
    executor.close();
    converter.close();
    process.chdir(previousCwd);
    if (options.cleanup) await options.cleanup();
  }
  return { ok: steps.every((s) => s.ok) && steps.length === codeCells.length, steps, outPath, files };
}

/** The last non-empty line of some text: for errors, the line that says what happened. */
function lastLine(text: string): string {
  const found = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("at "));
  return found.length ? found[found.length - 1] : "";
}

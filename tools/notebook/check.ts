/**
 * Checks on a notebook executed by Jupyter (nbconvert --execute): pure functions over
 * the executed notebook's JSON, so that they can be tested without Jupyter.
 *
 * A notebook passes when no code cell failed (an error output, or an execute_reply
 * whose status is not "ok", recorded by nbconvert_config.py), each has outputs (unless it is tagged
 * `no-output`), and each of the notebook's facts holds. (Whether a cell
 * ran is told by its outputs: tslab leaves `execution_count` empty.)
 * Across kernels, the same cells must carry the same kinds of rich output.
 */

export interface NotebookJson {
  cells: CellJson[];
  metadata?: Record<string, unknown>;
}

export interface CellJson {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata?: { tags?: string[]; kernel_check?: ReplyStatus } & Record<string, unknown>;
  execution_count?: number | null;
  outputs?: OutputJson[];
}

/** The kernel's execute_reply for a cell, recorded by nbconvert_config.py. */
export interface ReplyStatus {
  status?: string | null;
  ename?: string | null;
  evalue?: string | null;
}

export interface OutputJson {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[] | unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** What a fact sees of one code cell. */
export interface CellView {
  id: string;
  /** Source text. */
  source: string;
  /** All text the cell output (streams, text/plain, text/markdown, errors), ANSI colours removed. */
  text: string;
  /** MIME types that arrived as display data (display_data or execute_result). */
  displayMimes: Set<string>;
}

/** A fact the executed notebook must show, under every kernel. */
export interface Fact {
  name: string;
  holds: (cells: CellView[]) => boolean;
}

/** A fact that some cell's output matches `pattern`. */
export function shows(name: string, pattern: RegExp): Fact {
  return { name, holds: (cells) => cells.some((c) => pattern.test(c.text)) };
}

/** A fact that all patterns match within one cell's output (in `times` different cells). */
export function showsTogether(name: string, patterns: RegExp[], times = 1): Fact {
  return { name, holds: (cells) => cells.filter((c) => patterns.every((p) => p.test(c.text))).length >= times };
}

/** A fact that some cell shows `mime` as display data. */
export function displays(name: string, mime: string): Fact {
  return { name, holds: (cells) => cells.some((c) => c.displayMimes.has(mime)) };
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function joined(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : "";
}

function sourceOf(cell: CellJson): string {
  return joined(cell.source);
}

function outputText(output: OutputJson): string {
  switch (output.output_type) {
    case "stream":
      return joined(output.text);
    case "display_data":
    case "execute_result": {
      const data = output.data ?? {};
      return [data["text/plain"], data["text/markdown"]].map(joined).filter(Boolean).join("\n");
    }
    case "error":
      return `${output.ename ?? ""}: ${output.evalue ?? ""}\n${(output.traceback ?? []).join("\n")}`;
    default:
      return "";
  }
}

function isCode(cell: CellJson): boolean {
  return cell.cell_type === "code" && sourceOf(cell).trim() !== "";
}

function mayBeSilent(cell: CellJson): boolean {
  const tags = cell.metadata?.tags ?? [];
  // Not the parameters cell: under Deno a silent first cell is how a lost output looks.
  return tags.includes("no-output");
}

export function cellViews(notebook: NotebookJson): CellView[] {
  return notebook.cells.filter(isCode).map((cell, index) => {
    const outputs = cell.outputs ?? [];
    const displayMimes = new Set<string>();
    for (const o of outputs) {
      if (o.output_type === "display_data" || o.output_type === "execute_result") {
        for (const mime of Object.keys(o.data ?? {})) if (mime !== "text/plain") displayMimes.add(mime);
      }
    }
    return {
      id: cell.id ?? `#${index + 1}`,
      source: sourceOf(cell),
      text: outputs.map(outputText).join("\n").replace(ANSI, ""),
      displayMimes,
    };
  });
}

/** Everything wrong with one executed notebook; empty when it passes. */
export function checkExecuted(notebook: NotebookJson, facts: readonly Fact[]): string[] {
  const problems: string[] = [];
  const code = notebook.cells.filter(isCode);
  code.forEach((cell, index) => {
    const id = cell.id ?? `#${index + 1}`;
    const outputs = cell.outputs ?? [];
    const error = outputs.find((o) => o.output_type === "error");
    const reply = cell.metadata?.kernel_check;
    if (error) {
      problems.push(`cell ${id} failed: ${error.ename ?? "error"}: ${(error.evalue ?? "").split("\n")[0]}`);
    } else if (reply?.status === "abort" || reply?.status === "aborted") {
      problems.push(`cell ${id} did not run: the kernel aborted it after an earlier failure`);
    } else if (reply?.status && reply.status !== "ok") {
      // tslab: no error output, the message is on stderr (compile errors, or the thrown error's stack).
      const stderr = outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => joined(o.text));
      const lines = stderr.join("").split("\n").map((line) => line.trim());
      const message = reply.evalue || lines.find((line) => /^\w*Error\b|\d+:\d+ - /.test(line)) || lines.find(Boolean) || "(no message)";
      problems.push(`cell ${id} failed: ${message}`);
    } else if (outputs.length === 0 && !mayBeSilent(cell)) {
      problems.push(`cell ${id} has no output (lost, or the cell shows nothing: tag it "no-output" if that is meant)`);
    }
  });
  const views = cellViews(notebook);
  for (const fact of facts) {
    if (!fact.holds(views)) problems.push(`not shown: ${fact.name}`);
  }
  return problems;
}

/**
 * Differences between kernels: a cell that shows a MIME type as display data under
 * one kernel must show it under the others too.
 */
export function compareKernels(runs: Record<string, NotebookJson>): string[] {
  const problems: string[] = [];
  const kernels = Object.keys(runs);
  const views = Object.fromEntries(kernels.map((k) => [k, new Map(cellViews(runs[k]).map((v) => [v.id, v]))]));
  const ids = new Set(kernels.flatMap((k) => [...views[k].keys()]));
  for (const id of ids) {
    for (const a of kernels) {
      for (const b of kernels) {
        if (a === b) continue;
        const mimesA = views[a].get(id)?.displayMimes ?? new Set<string>();
        const mimesB = views[b].get(id)?.displayMimes ?? new Set<string>();
        for (const mime of mimesA) {
          if (!mimesB.has(mime)) problems.push(`cell ${id}: ${mime} shown under ${a} but not under ${b}`);
        }
      }
    }
  }
  return problems;
}

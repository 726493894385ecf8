/**
 * Does an executed notebook read well within the front ends' defaults? Pure functions over
 * the notebook's JSON (as nbconvert saves it), so that they can be tested without Jupyter;
 * `npm run test:kernels` applies them, and the browser test (`npm run test:ui`) measures
 * the same things on the page.
 *
 * - A text output (a stream, or display data whose richest type is text/plain) has at most
 *   30 lines: VS Code shows that many by default (`notebook.output.textLineLimit`) and
 *   truncates the rest. HTML, Markdown and pictures are not cut.
 * - No line of a text output is wider than 114 columns: the classic Jupyter Notebook's
 *   output area at a window 1,200 px wide or more (measured in Chromium, DejaVu Sans Mono);
 *   a wider line wraps mid-word.
 * - A cell's outputs stay under about 100 lines of text in height: the classic Notebook
 *   folds a cell's output into a 24em scroll box once it is taller than 1,800 px (100 ×
 *   18 px), whatever its types; text lines are 17 px. HTML and pictures are counted by
 *   their estimated height (`heightInLines`).
 *
 * Cells tagged `long-output` are exempt (the kernel smoke test prints 200 lines on purpose).
 */
import stringWidth from "string-width";
import type { CellJson, NotebookJson, OutputJson } from "./check";

export const OUTPUT_COLUMNS = 114;
export const TEXT_OUTPUT_LINES = 30;
export const CELL_HEIGHT_LINES = 100;
/** A text line in the classic Notebook's output area, px (14 px DejaVu Sans Mono). */
export const LINE_PX = 17;
/** A row of an HTML table in the classic Notebook (12 px text, 0.5em padding, a border), in text lines. */
export const TABLE_ROW_LINES = 1.5;

/** What a front end shows of one output, and how big it is. */
export interface OutputFigure {
  /** The type a front end renders: the richest it knows. */
  shown: "text" | "html" | "markdown" | "image" | "error";
  /** Lines of a text output (0 for the others). */
  lines: number;
  /** The widest line of a text output, in monospace columns. */
  columns: number;
  /** Estimated height, in text lines. */
  heightLines: number;
}

export interface CellFigures {
  id: string;
  exempt: boolean;
  outputs: OutputFigure[];
  heightLines: number;
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function joined(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : "";
}

function textLines(text: string): string[] {
  return text.replace(ANSI, "").replace(/\n$/, "").split("\n");
}

function textFigure(text: string): OutputFigure {
  const lines = textLines(text);
  const columns = Math.max(0, ...lines.map((line) => stringWidth(line.replace(/\t/g, "        "))));
  return { shown: "text", lines: lines.length, columns, heightLines: lines.length };
}

/**
 * The height of HTML in text lines, estimated from its markup: a closed `<details>` shows its
 * summary only; table rows, lines of a `<pre>`, paragraphs, headings, list items and line
 * breaks count. Rough, for the markup the lab writes; the browser test measures the real thing.
 */
export function heightInLines(html: string): number {
  const shown = html.replace(/<details(?![^>]*\bopen\b)[^>]*>([\s\S]*?)<\/details>/gi, (_all, inner: string) => {
    const summary = /<summary[\s\S]*?<\/summary>/i.exec(inner);
    return summary ? summary[0] : "";
  });
  let lines = 0;
  const withoutPre = shown.replace(/<pre[^>]*>([\s\S]*?)<\/pre>/gi, (_all, inner: string) => {
    lines += inner.replace(/\n$/, "").split(/\n|<br\s*\/?>/i).length;
    return "";
  });
  lines += (withoutPre.match(/<tr\b/gi) ?? []).length * TABLE_ROW_LINES;
  lines += (withoutPre.match(/<(p|h[1-6]|li|br|summary)\b/gi) ?? []).length;
  return Math.max(1, Math.ceil(lines));
}

function svgHeightLines(svg: string): number {
  const height = /<svg\b[^>]*\bheight="(\d+(?:\.\d+)?)(?:px)?"/i.exec(svg);
  return Math.ceil((height ? Number(height[1]) : 150) / LINE_PX);
}

/** How a front end shows one output (the MIME order of Jupyter and VS Code: rich before plain). */
export function outputFigure(output: OutputJson): OutputFigure {
  if (output.output_type === "stream") return textFigure(joined(output.text));
  if (output.output_type === "error") {
    const lines = (output.traceback ?? []).join("\n").split("\n").length;
    return { shown: "error", lines: 0, columns: 0, heightLines: lines };
  }
  const data = output.data ?? {};
  if (data["text/html"] !== undefined) return { shown: "html", lines: 0, columns: 0, heightLines: heightInLines(joined(data["text/html"])) };
  if (data["text/markdown"] !== undefined) return { shown: "markdown", lines: 0, columns: 0, heightLines: textLines(joined(data["text/markdown"])).length };
  if (data["image/svg+xml"] !== undefined) return { shown: "image", lines: 0, columns: 0, heightLines: svgHeightLines(joined(data["image/svg+xml"])) };
  if (Object.keys(data).some((mime) => mime.startsWith("image/"))) return { shown: "image", lines: 0, columns: 0, heightLines: 10 };
  return textFigure(joined(data["text/plain"]));
}

/** Consecutive stream outputs of one name are one output on screen (nbclient merges them too). */
function mergedStreams(outputs: OutputJson[]): OutputJson[] {
  const merged: OutputJson[] = [];
  for (const output of outputs) {
    const last = merged[merged.length - 1];
    if (output.output_type === "stream" && last && last.output_type === "stream" && last.name === output.name) {
      merged[merged.length - 1] = { ...last, text: joined(last.text) + joined(output.text) };
    } else merged.push(output);
  }
  return merged;
}

function isCode(cell: CellJson): boolean {
  return cell.cell_type === "code" && joined(cell.source).trim() !== "";
}

/** Per code cell: each output as shown, and the cell's height. */
export function outputFigures(notebook: NotebookJson): CellFigures[] {
  return notebook.cells.filter(isCode).map((cell, index) => {
    const outputs = mergedStreams(cell.outputs ?? []).map(outputFigure);
    return {
      id: cell.id ?? `#${index + 1}`,
      exempt: (cell.metadata?.tags ?? []).includes("long-output"),
      outputs,
      heightLines: outputs.reduce((sum, o) => sum + o.heightLines, 0),
    };
  });
}

/** Every output that breaks a rule, one line each; empty when the notebook reads well. */
export function outputRuleProblems(notebook: NotebookJson): string[] {
  const problems: string[] = [];
  for (const cell of outputFigures(notebook)) {
    if (cell.exempt) continue;
    cell.outputs.forEach((o, i) => {
      const which = `cell ${cell.id}, output ${i + 1}`;
      if (o.shown !== "text") return;
      if (o.lines > TEXT_OUTPUT_LINES) problems.push(`${which}: ${o.lines} lines of text (VS Code shows ${TEXT_OUTPUT_LINES}): show it as HTML, or shorter`);
      if (o.columns > OUTPUT_COLUMNS) problems.push(`${which}: a line of ${o.columns} columns (the output area has ${OUTPUT_COLUMNS}): it wraps mid-word`);
    });
    if (cell.heightLines > CELL_HEIGHT_LINES) {
      problems.push(`cell ${cell.id}: outputs about ${cell.heightLines} lines tall (Jupyter folds past ${CELL_HEIGHT_LINES} into a scroll box)`);
    }
  }
  return problems;
}

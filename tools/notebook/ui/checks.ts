/**
 * What the browser test (`npm run test:ui`) requires of a notebook after Run All in the
 * classic Jupyter Notebook, as pure functions of what `measure.cjs` reads from the page,
 * so that each check can be shown to fail without a browser (test/ui-checks.test.ts).
 */

export interface OutputMeasurement {
  /** error, stderr, text (stdout or text/plain), svg, html, other. */
  kind: string;
  firstLine: string;
  /** Text outputs: columns of the output area, lines, the widest line in columns. */
  columnsAvailable?: number;
  lines?: number;
  widestColumns?: number;
  /** Charts: where each is in its cell's output box, and whether it shows without scrolling inside it. */
  charts?: { top: number; height: number; visible: boolean }[];
  /** Px the output is wider than its area (a table or a token that does not wrap). */
  overflowPx?: number;
}

export interface CellMeasurement {
  index: number;
  id: string;
  /** Jupyter folded the cell's output into a scroll box (taller than 1,800 px). */
  folded: boolean;
  heightPx: number;
  outputs: OutputMeasurement[];
  /** Sampled while the cell ran: the most live views (lib/report/live.ts) shown at once, and their states. */
  liveView?: { most: number; states: number };
}

export interface PageMeasurement {
  kernel: string | null;
  outputColumns: number | null;
  /** The Kernel > Change kernel menu. */
  kernelMenu: string[];
  cells: CellMeasurement[];
}

/** The kernels the lab registers, as the menu names them (tools/notebook/kernels.ts). */
export const KERNEL_MENU_NAMES = ["TypeScript (tslab)", "Deno"];

/** Every problem a person would see, one line each; empty when the notebook reads well. */
export function uiProblems(page: PageMeasurement): string[] {
  const problems: string[] = [];
  for (const cell of page.cells) {
    const where = `cell ${cell.id}`;
    for (const output of cell.outputs) {
      if (output.kind === "error" || output.kind === "stderr") problems.push(`${where}: ${output.kind} output: ${output.firstLine}`);
      if (output.widestColumns !== undefined && output.columnsAvailable !== undefined && output.widestColumns > output.columnsAvailable) {
        problems.push(`${where}: a text line of ${output.widestColumns} columns in an output area of ${output.columnsAvailable}: it wraps (${output.firstLine.slice(0, 40)}…)`);
      }
      for (const chart of output.charts ?? []) {
        if (!chart.visible) problems.push(`${where}: a chart ${chart.top} px down a folded output: scroll inside the box to see it`);
      }
      if (output.overflowPx !== undefined) problems.push(`${where}: an output ${output.overflowPx} px wider than the output area`);
    }
    if (cell.liveView && cell.liveView.most > 1) problems.push(`${where}: ${cell.liveView.most} live views at once: the view must be redrawn in place`);
    if (cell.folded) problems.push(`${where}: output folded into a scroll box (${cell.heightPx} px tall)`);
  }
  for (const name of KERNEL_MENU_NAMES) {
    if (!page.kernelMenu.includes(name)) problems.push(`the Kernel menu does not offer "${name}" (it offers: ${page.kernelMenu.join(", ") || "nothing"})`);
  }
  return problems;
}

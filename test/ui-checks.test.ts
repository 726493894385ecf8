// What the browser test (npm run test:ui) reports, from measurements of a page: each rule
// of issue 19 on a page that breaks it, and a page that keeps them all.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uiProblems, type CellMeasurement, type OutputMeasurement, type PageMeasurement } from "../tools/notebook/ui/checks";

const text = (widestColumns: number, kind = "text"): OutputMeasurement => ({ kind, firstLine: "status code: 200", columnsAvailable: 114, lines: 3, widestColumns });
const chart = (top: number, visible: boolean): OutputMeasurement => ({ kind: "svg", firstLine: "", charts: [{ top, height: 300, visible }] });
const cell = (id: string, outputs: OutputMeasurement[], folded = false): CellMeasurement => ({ index: 0, id, folded, heightPx: folded ? 9432 : 600, outputs });
const page = (cells: CellMeasurement[], kernelMenu = ["Deno", "Python 3 (ipykernel)", "TypeScript (tslab)"]): PageMeasurement => ({ kernel: "tslab", outputColumns: 114, kernelMenu, cells });

describe("uiProblems", () => {
  it("passes a page whose text fits, whose charts show and which offers both kernels", () => {
    assert.deepEqual(uiProblems(page([cell("requests", [text(114), { kind: "html", firstLine: "<table>" }, chart(1028, true)])])), []);
  });

  it("reports stderr and error outputs", () => {
    const problems = uiProblems(page([cell("outputs", [{ kind: "stderr", firstLine: "unknown msg_type: comm_open" }, { kind: "error", firstLine: "ModelCallError: HTTP 404" }])]));
    assert.deepEqual(problems, ["cell outputs: stderr output: unknown msg_type: comm_open", "cell outputs: error output: ModelCallError: HTTP 404"]);
  });

  it("reports a text line wider than the output area", () => {
    assert.deepEqual(uiProblems(page([cell("trace1", [text(122)])])), ["cell trace1: a text line of 122 columns in an output area of 114: it wraps (status code: 200…)"]);
  });

  it("reports a folded output and a chart down inside it", () => {
    assert.deepEqual(uiProblems(page([cell("requests", [text(50), chart(8972, false)], true)])), [
      "cell requests: a chart 8972 px down a folded output: scroll inside the box to see it",
      "cell requests: output folded into a scroll box (9432 px tall)",
    ]);
  });

  it("reports an output wider than its area", () => {
    assert.deepEqual(uiProblems(page([cell("t", [{ kind: "html", firstLine: "", overflowPx: 522 }])])), ["cell t: an output 522 px wider than the output area"]);
  });

  it("reports a kernel missing from the Kernel menu", () => {
    assert.deepEqual(uiProblems(page([], ["Python 3 (ipykernel)", "TypeScript (tslab)"])), ['the Kernel menu does not offer "Deno" (it offers: Python 3 (ipykernel), TypeScript (tslab))']);
  });
});

describe("uiProblems, live views", () => {
  it("reports a cell whose live view was shown twice at once instead of redrawn in place", () => {
    const requests = { ...cell("requests", [text(80)]), liveView: { most: 2, states: 40 } };
    assert.deepEqual(uiProblems(page([requests])), ["cell requests: 2 live views at once: the view must be redrawn in place"]);
    assert.deepEqual(uiProblems(page([{ ...requests, liveView: { most: 1, states: 40 } }])), []);
  });
});

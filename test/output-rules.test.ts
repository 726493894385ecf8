// The front ends' limits `npm run test:kernels` applies to executed notebooks, on synthetic
// notebooks: no Jupyter needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CellJson, NotebookJson, OutputJson } from "../tools/notebook/check";
import { heightInLines, outputFigures, outputRuleProblems } from "../tools/notebook/output-rules";

const stdout = (text: string): OutputJson => ({ output_type: "stream", name: "stdout", text });
const display = (data: Record<string, string>): OutputJson => ({ output_type: "display_data", data });
const code = (id: string, outputs: OutputJson[], tags: string[] = []): CellJson => ({ cell_type: "code", id, source: `// ${id}\n`, metadata: { tags }, outputs });
const notebook = (...cells: CellJson[]): NotebookJson => ({ cells });
const lines = (n: number, width = 10) => Array.from({ length: n }, (_, i) => `${i}`.padEnd(width, "x")).join("\n") + "\n";

describe("outputRuleProblems", () => {
  it("passes 30 lines of 114 columns", () => {
    assert.deepEqual(outputRuleProblems(notebook(code("a", [stdout(lines(30, 114))]))), []);
  });

  it("fails a text output of 31 lines: VS Code shows 30", () => {
    assert.deepEqual(outputRuleProblems(notebook(code("a", [stdout(lines(31))]))), [
      "cell a, output 1: 31 lines of text (VS Code shows 30): show it as HTML, or shorter",
    ]);
  });

  it("fails a line of 115 columns: the classic Notebook's output area has 114", () => {
    assert.deepEqual(outputRuleProblems(notebook(code("a", [stdout("y".repeat(115) + "\n")]))), [
      "cell a, output 1: a line of 115 columns (the output area has 114): it wraps mid-word",
    ]);
  });

  it("counts an emoji as two columns and ANSI colours as none", () => {
    const [cell] = outputFigures(notebook(code("a", [stdout(`👉🏻 ${"z".repeat(111)}\n\u001b[31m${"r".repeat(114)}\u001b[0m\n`)])));
    assert.equal(cell.outputs[0].columns, 114);
  });

  it("counts consecutive stream outputs as one, as the front ends show them", () => {
    const problems = outputRuleProblems(notebook(code("a", [stdout(lines(20)), stdout(lines(20))])));
    assert.deepEqual(problems, ["cell a, output 1: 40 lines of text (VS Code shows 30): show it as HTML, or shorter"]);
  });

  it("judges display data by what is shown: HTML with a long text fallback passes, text alone does not", () => {
    const table = lines(41, 122);
    assert.deepEqual(outputRuleProblems(notebook(code("a", [display({ "text/html": "<table><tr><td>x</td></tr></table>", "text/plain": table })]))), []);
    assert.equal(outputRuleProblems(notebook(code("b", [display({ "text/plain": table })]))).length, 2);
  });

  it("fails a cell taller than 100 lines in all, whatever its types", () => {
    const svg = display({ "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="760" height="850"></svg>', "text/plain": "chart" });
    const problems = outputRuleProblems(notebook(code("tall", [stdout(lines(30)), svg, stdout(lines(25)), display({ "text/html": "<p>a</p>" })])));
    // 30 + 50 (850 px / 17) + 25 + 1
    assert.deepEqual(problems, ["cell tall: outputs about 106 lines tall (Jupyter folds past 100 into a scroll box)"]);
  });

  it("lets cells tagged long-output through", () => {
    assert.deepEqual(outputRuleProblems(notebook(code("burst", [stdout(lines(200, 200))], ["long-output"]))), []);
  });
});

describe("heightInLines", () => {
  it("counts a closed <details> as its summary line only, an open one in full", () => {
    const pre = `<pre>${lines(80)}</pre>`;
    assert.equal(heightInLines(`<details><summary>▸ raw</summary>${pre}</details>`), 1);
    assert.equal(heightInLines(`<details open><summary>▸ raw</summary>${pre}</details>`), 81);
  });

  it("counts table rows at one and a half lines each, and paragraphs", () => {
    const rows = Array.from({ length: 10 }, () => "<tr><td>a</td><td>b</td></tr>").join("");
    assert.equal(heightInLines(`<p>title</p><table><thead><tr><th>h</th></tr></thead><tbody>${rows}</tbody></table>`), 1 + 17);
  });
});

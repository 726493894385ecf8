// What a person sees of an executed notebook in the classic Jupyter Notebook (6.4), read
// from the page: `measureNotebook` is passed to puppeteer's page.evaluate, so it is plain
// JavaScript (no TypeScript helpers) and uses nothing from outside itself.
// Selectors and the ways of measuring were found in the spike for issue 19
// (browser-notebook.md): text outputs are `.output_subarea > pre`; a folded output is
// `div.output.output_scroll`; charts are `svg` in `.output_svg`.
"use strict";

function measureNotebook() {
  /* global Jupyter, document, getComputedStyle */
  const canvas = document.createElement("canvas").getContext("2d");
  // One monospace column in the font the output area really uses.
  function columnPx(pre) {
    const span = document.createElement("span");
    span.textContent = "x".repeat(200);
    span.style.whiteSpace = "pre";
    pre.appendChild(span);
    const width = span.getBoundingClientRect().width / 200;
    span.remove();
    return width;
  }
  let outputColumns = null;
  const cells = [];
  Jupyter.notebook.get_cells().forEach((cell, index) => {
    if (cell.cell_type !== "code" || cell.get_text().trim() === "") return;
    const area = cell.output_area.element[0]; // div.output
    const areaRect = area.getBoundingClientRect();
    const folded = area.classList.contains("output_scroll");
    const outputs = [];
    area.querySelectorAll(":scope > .output_area > .output_subarea").forEach((sub) => {
      const kind = sub.classList.contains("output_error") ? "error" : sub.classList.contains("output_stderr") ? "stderr" : sub.classList.contains("output_text") ? "text" : sub.classList.contains("output_svg") ? "svg" : sub.classList.contains("output_html") ? "html" : "other";
      const output = { kind, firstLine: sub.textContent.trim().split("\n")[0].slice(0, 160) };
      const pre = sub.querySelector(":scope > pre");
      if (pre && kind !== "html") {
        const style = getComputedStyle(pre);
        const column = columnPx(pre);
        const available = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        output.columnsAvailable = Math.floor(available / column + 1e-6);
        if (outputColumns === null) outputColumns = output.columnsAvailable;
        canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const lines = pre.textContent.replace(/\n$/, "").split("\n");
        output.lines = lines.length;
        output.widestColumns = Math.max(0, ...lines.map((line) => Math.ceil(canvas.measureText(line).width / column - 1e-6)));
      }
      const charts = [...sub.querySelectorAll("svg")].map((svg) => {
        const r = svg.getBoundingClientRect();
        const top = Math.round(r.top - areaRect.top + area.scrollTop);
        // Inside a folded output the chart must be within the scroll box's first screen.
        return { top, height: Math.round(r.height), visible: !folded || top + r.height <= area.clientHeight };
      });
      if (charts.length) output.charts = charts;
      if (sub.scrollWidth > sub.clientWidth + 1) output.overflowPx = sub.scrollWidth - sub.clientWidth;
      outputs.push(output);
    });
    cells.push({ index, id: (cell.metadata && cell.metadata.id) || cell.cell_id || `#${index}`, folded, heightPx: Math.round(area.scrollHeight), outputs });
  });
  return {
    kernel: Jupyter.notebook.kernel ? Jupyter.notebook.kernel.name : null,
    outputColumns,
    kernelMenu: [...document.querySelectorAll("#menu-change-kernel-submenu li a")].map((a) => a.textContent.trim()),
    cells,
  };
}

module.exports = { measureNotebook };

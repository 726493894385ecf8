/**
 * `npm run test:ui`: the notebook as an attendee sees it. Debian's classic Jupyter Notebook
 * in headless Debian Chromium (puppeteer-core), Run All on each kernel, then checks what the
 * page shows (tools/notebook/ui/checks.ts): no error or stderr output, no text line wider
 * than the output area, no output folded into a scroll box and every chart visible without
 * scrolling inside one, both kernels offered. Screenshots and measurements go to out/ui/.
 * Needs `sh scripts/install-jupyter.sh --ui` (jupyter-notebook, chromium).
 *
 *   npm run test:ui
 *   npm run test:ui -- --kernel deno            one kernel only
 *   npm run test:ui -- some.ipynb --width 1280  another notebook, another window
 *   npm run test:ui -- --self-test              proves that a failing cell and a line wider than the
 *                                               output area make the check fail, on the page
 */
import path from "node:path";
import { integer, runCommand } from "../tools/cli";
import { registerKernels, repoRoot } from "../tools/notebook/kernels";
import { notebookAndKernels } from "../tools/notebook/command-args";
import { runInBrowser } from "../tools/notebook/ui/browser-run";

const command = {
  run: "npm run test:ui",
  usage: [
    "usage: npm run test:ui -- [notebook.ipynb] [--kernel tslab|deno]... [--self-test] [--chromium path] [--width px] [--height px] [--timeout s]",
    "  defaults: notebooks/streaming.ipynb, both kernels, /usr/bin/chromium, a 1920×1080 window, 300 s a Run All",
  ].join("\n"),
  options: {
    kernel: { type: "string", multiple: true },
    "self-test": { type: "boolean" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    width: { type: "string", default: "1920" },
    height: { type: "string", default: "1080" },
    timeout: { type: "string", default: "300" },
  },
  allowPositionals: true,
} as const;

runCommand(command, async ({ values, positionals }) => {
  const selfTest = values["self-test"] === true;
  const { notebook, kernels } = notebookAndKernels(positionals, selfTest, values.kernel);
  registerKernels(); // the specs point at this checkout
  const outDir = path.join(repoRoot, "out", "ui");
  const results = await runInBrowser({
    notebook,
    kernels,
    outDir,
    chromium: values.chromium,
    width: integer("width", values.width, 600),
    height: integer("height", values.height, 400),
    timeoutSeconds: integer("timeout", values.timeout, 10),
  });
  let problems = 0;
  for (const r of results) {
    console.log(`${r.kernel}: Run All in ${r.runAllSeconds.toFixed(1)} s, output area ${r.outputColumns ?? "?"} columns, live views: ${r.liveViews.join(", ") || "none"}; ${r.problems.length ? `${r.problems.length} problem(s)` : "ok"}`);
    for (const p of r.problems) console.log(`  ✖ ${p}`);
    problems += r.problems.length;
  }
  console.log(`Screenshots and measurements: ${path.relative(process.cwd(), outDir)}/`);
  if (selfTest) {
    // The self-test notebook has a cell that throws (tslab shows it as stderr, Deno as an
    // error) and a line of 115 columns: the page
    // must show both as problems under every kernel, or the browser test cannot be trusted.
    const missed = results.flatMap((r) => [
      ...(r.problems.some((p) => p.startsWith("cell too-wide: a text line of 115 columns")) ? [] : [`${r.kernel}: the 115-column line was not reported`]),
      ...(r.problems.some((p) => /^cell fails: (error|stderr) output/.test(p)) ? [] : [`${r.kernel}: the failing cell was not reported`]),
    ]);
    if (missed.length) {
      console.log(`\nself-test FAILED:\n  ${missed.join("\n  ")}`);
      return 1;
    }
    console.log("\nself-test ok: the page's failing cell and too wide line are reported under every kernel");
    return 0;
  }
  return problems === 0 ? 0 : 1;
});

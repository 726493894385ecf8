/**
 * One way to show things: rich MIME output inside a notebook kernel (tslab or
 * Deno), plain text in a terminal. Everything shown goes through `mask`, so a
 * secret cannot reach a cell's output by way of this module.
 */
import { breakableHtml, detailsHtml, escapeHtml, tableHtml, type Table } from "./html";
import { mask } from "./mask";
import { tableText } from "./text-table";

type MimeBundle = Record<string, string>;
/** Sends a bundle; with a display id, later sends with `update` replace it in place. */
type Sink = (bundle: MimeBundle, display?: { id: string; update: boolean }) => void;

/** The part of Deno's Jupyter API this module uses (Deno 2.9). */
interface DenoJupyter {
  /** Queues one message on the kernel's IOPub channel (synchronously in Deno 2.9). */
  broadcast(messageType: string, content: Record<string, unknown>): unknown;
}
declare const Deno: any;
declare const require: ((id: string) => any) | undefined;

/** Deno's Jupyter API when running in `deno jupyter`, else undefined. */
function denoJupyter(): DenoJupyter | undefined {
  try {
    const jupyter = typeof Deno !== "undefined" && Deno ? Deno.jupyter : undefined;
    return jupyter && typeof jupyter.broadcast === "function" ? jupyter : undefined;
  } catch {
    // Outside `deno jupyter` (e.g. `deno run`), reading Deno.jupyter throws.
    return undefined;
  }
}

/**
 * Deno's kernel (2.9) loses or misplaces cell output under nbconvert and other
 * Jupyter clients. Everything a cell prints (console.*, Deno.jupyter.display/broadcast,
 * even the cell's result) is put on a queue that another thread of the kernel sends to
 * IOPub at roughly 0.3 to 1 ms per message, each message tagged with whatever cell is
 * current *when it is sent*. When the cell's code finishes, the kernel sends
 * execute_reply, sleeps a fixed 5 ms, and sends "idle" without waiting for that queue.
 * A client stops listening for a cell at "idle", so the rest of the queue is dropped,
 * or shows up in the next cell (seen: 97 of 100 lines printed by one cell lost).
 *
 * The queue's progress is invisible from JavaScript, so the only handle is time, in one
 * place: Deno publishes every cell's result through `broadcastResult`, awaited before
 * execute_reply. We wrap it to wait until the queue has drained, estimated from the
 * messages queued since the last cell (counted by thin wrappers that delegate to the
 * originals): 2 ms per message, twice the slowest rate measured, plus 50 ms for the
 * first message to get out. A cell that prints nothing waits nothing. A cell that
 * throws skips `broadcastResult`, so its output may still be cut short; the error is shown.
 * `npm run test:kernels` fails when any output goes missing, so a change of Deno's
 * internals shows up there.
 *
 * Also: `process.stdout.write` in Deno's kernel writes to a pipe nobody reads (its text
 * never reaches the notebook); it is sent as a stdout stream message instead, through
 * the same queue as console output so the order is kept.
 */
const DRAIN_MS_PER_MESSAGE = 2;
const DRAIN_FIRST_MS = 50;
const DRAIN_MAX_MS = 10_000;
const denoOutputInstalled = Symbol.for("apim-streaming-lab.deno-kernel-output");

function settleDenoOutput(jupyter: DenoJupyter): void {
  const state = globalThis as Record<symbol, unknown>;
  if (state[denoOutputInstalled]) return;
  state[denoOutputInstalled] = true;

  let drainedAt = 0; // when the output queue is expected to be empty (performance.now())
  const queued = () => {
    drainedAt = Math.max(performance.now(), drainedAt) + DRAIN_MS_PER_MESSAGE;
  };

  const anyConsole = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const method of ["log", "info", "debug", "warn", "error", "dir", "table", "trace"]) {
    const original = anyConsole[method].bind(console);
    anyConsole[method] = (...args: unknown[]) => {
      queued();
      original(...args);
    };
  }
  const broadcast = jupyter.broadcast.bind(jupyter);
  jupyter.broadcast = (messageType, content) => {
    queued();
    return broadcast(messageType, content);
  };
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
      jupyter.broadcast("stream", { name, text });
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") queueMicrotask(() => done());
      return true;
    }) as typeof stream.write;
  }

  const internal = Deno[Deno.internal]?.jupyter;
  if (!internal || typeof internal.broadcastResult !== "function") return;
  const broadcastResult = internal.broadcastResult;
  internal.broadcastResult = async function (executionCount: unknown, result: unknown) {
    await broadcastResult.call(this, executionCount, result);
    if (result !== undefined) queued();
    if (drainedAt === 0) return;
    const wait = Math.min(drainedAt + DRAIN_FIRST_MS - performance.now(), DRAIN_MAX_MS);
    drainedAt = 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}

/** Finds the running kernel's display function, or undefined in a terminal. */
function kernelSink(): Sink | undefined {
  const jupyter = denoJupyter();
  if (jupyter) {
    settleDenoOutput(jupyter);
    // broadcast queues the message at once, in order with console output;
    // Deno.jupyter.display would queue it a promise later, after lines printed next.
    return (bundle, display) => {
      const transient = display ? { display_id: display.id } : {};
      jupyter.broadcast(display?.update ? "update_display_data" : "display_data", { data: bundle, metadata: {}, transient });
    };
  }
  if (typeof require === "function") {
    try {
      // tslab sets this hook while a cell runs (in Jupyter and in our headless runner).
      const hook = require("tslab/dist/jupyter");
      if (hook && typeof hook.lastWriteDisplayData === "function") {
        // With `update`, tslab sends update_display_data (tslab 1.0.22, dist/jupyter.js).
        return (bundle, display) =>
          hook.lastWriteDisplayData({ data: bundle, metadata: {}, transient: display ? { display_id: display.id } : {} }, display?.update ?? false);
      }
    } catch {
      // tslab not installed: we are in a terminal.
    }
  }
  return undefined;
}

/** Text lines wider than this wrap mid-word in the classic Notebook's output area (114 columns). */
const TEXT_COLUMNS = 110;

/**
 * Prints text (masked). In a kernel, text with a line too wide for the output area (a
 * resource id, a long reply) is shown as HTML instead, where it wraps at word and URL
 * boundaries; the text itself stays the text/plain of the bundle.
 */
export function showText(text: string): void {
  const masked = mask(text);
  const sink = masked.split("\n").some((line) => line.length > TEXT_COLUMNS) ? kernelSink() : undefined;
  if (sink) sink({ "text/html": `<pre>${breakableHtml(masked)}</pre>`, "text/plain": masked });
  else console.log(masked);
}

/** Shows Markdown in a kernel; prints it as text in a terminal. */
export function showMarkdown(markdown: string): void {
  const sink = kernelSink();
  const text = mask(markdown);
  if (sink) sink({ "text/markdown": text, "text/plain": text });
  else console.log(text);
}

/**
 * Shows an SVG picture in a kernel. In a terminal there is nothing to draw on, so
 * it prints the alternative text instead.
 */
export function showSvg(svg: string, alt: string): void {
  const sink = kernelSink();
  if (sink) sink({ "image/svg+xml": mask(svg), "text/plain": mask(alt) });
  else console.log(mask(alt));
}

/** Shows HTML in a kernel; prints the alternative text in a terminal. */
export function showHtml(html: string, alt: string): void {
  const sink = kernelSink();
  if (sink) sink({ "text/html": mask(html), "text/plain": mask(alt) });
  else console.log(mask(alt));
}

/**
 * Tables, with a heading line above them: in a kernel one HTML bundle (an HTML table fits
 * the output area and wraps inside its cells) with the text tables as its text/plain
 * fallback; in a terminal the text tables.
 */
export function showTables(tables: Table[], heading?: string, options: { collapsed?: string } = {}): void {
  const text = [heading, ...tables.map(tableText)].filter((part) => part !== undefined).join("\n\n");
  const sink = kernelSink();
  if (!sink) return console.log(mask(text));
  const body = tables.map(tableHtml).join("");
  // Collapsed: a one-line disclosure, so a long table does not push the chart out of sight.
  const shown = options.collapsed === undefined ? body : detailsHtml(options.collapsed, body);
  const html = (heading === undefined ? "" : `<p>${escapeHtml(heading)}</p>`) + shown;
  sink({ "text/html": mask(html), "text/plain": mask(text) });
}

/** One display a cell can redraw in place, where the front end supports it. */
export interface LiveDisplay {
  /** Shows the bundle: the first time as a new output, then in place of the last. */
  show(html: string, text: string): void;
}

let displays = 0;

/**
 * A display that updates in place (update_display_data, matched by its display id: the
 * classic Notebook, JupyterLab, VS Code and nbclient support it); undefined in a terminal,
 * where there is nothing to redraw.
 */
export function liveDisplay(): LiveDisplay | undefined {
  const sink = kernelSink();
  if (!sink) return undefined;
  const id = `apim-lab-${process.pid}-${Date.now()}-${++displays}`;
  let shown = false;
  return {
    show(html, text) {
      sink({ "text/html": mask(html), "text/plain": mask(text) }, { id, update: shown });
      shown = true;
    },
  };
}

// In Deno's kernel, outputs must be settled from the first cell that imports this module,
// not only from the first that shows something.
const deno = denoJupyter();
if (deno) settleDenoOutput(deno);

/**
 * True inside a notebook kernel (tslab, Deno or the headless runner). Not used by the
 * lab: the kernel smoke test (test/fixtures/kernels/smoke.ipynb) prints it to show that
 * display found the kernel.
 */
export function inKernel(): boolean {
  return kernelSink() !== undefined;
}

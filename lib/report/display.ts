/**
 * One way to show things: rich MIME output inside a notebook kernel (tslab or
 * Deno), plain text in a terminal. Everything shown goes through `mask`, so a
 * secret cannot reach a cell's output by way of this module.
 */
import { mask } from "./mask";

type MimeBundle = Record<string, string>;
type Sink = (bundle: MimeBundle) => void;

declare const Deno: { jupyter?: { display(bundle: MimeBundle, options: { raw: boolean }): Promise<void> | void } } | undefined;
declare const require: ((id: string) => any) | undefined;

/** Finds the running kernel's display function, or undefined in a terminal. */
function kernelSink(): Sink | undefined {
  if (typeof Deno !== "undefined" && Deno && Deno.jupyter) {
    const jupyter = Deno.jupyter;
    return (bundle) => {
      void jupyter.display(bundle, { raw: true });
    };
  }
  if (typeof require === "function") {
    try {
      // tslab sets this hook while a cell runs (in Jupyter and in our headless runner).
      const hook = require("tslab/dist/jupyter");
      if (hook && typeof hook.lastWriteDisplayData === "function") {
        return (bundle) => hook.lastWriteDisplayData({ data: bundle, metadata: {}, transient: {} }, false);
      }
    } catch {
      // tslab not installed: we are in a terminal.
    }
  }
  return undefined;
}

/** Prints text (masked). */
export function showText(text: string): void {
  console.log(mask(text));
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

/** True inside a notebook kernel (tslab, Deno or the headless runner). */
export function inKernel(): boolean {
  return kernelSink() !== undefined;
}

#!/usr/bin/env node
/**
 * The program a kernel spec of the lab runs (`npm run kernels` copies this file into each
 * spec's folder, so that the spec does not point into a checkout that may move).
 *
 * Jupyter and VS Code start a kernel in the notebook's folder: from there this finds the
 * lab (the nearest folder up whose package.json is the lab's) and starts the kernel of
 * that checkout (tools/notebook/kernel.cjs), so a moved or renamed repository keeps
 * working. A notebook outside any checkout falls back to the checkout that registered the
 * kernel. Plain ES2015 CommonJS on purpose: it runs before anything else and on any Node.
 *
 *   node kernel-launcher.cjs <tslab|deno> <connection file> [checkout that registered it]
 */
"use strict";
const fs = require("fs");
const path = require("path");

const LAB_PACKAGE = "apim-streaming-lab";

function isLab(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === LAB_PACKAGE;
  } catch (e) {
    return false;
  }
}

/** The nearest folder at or above `from` that holds the lab, or undefined. */
function findLab(from) {
  let dir = path.resolve(from);
  for (;;) {
    if (isLab(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The kernel program of a checkout. A spec registered for the user serves every checkout
 * on the machine, and checkouts from before the kernel moved to tools/notebook/ keep it
 * in bin/.
 */
function kernelModule(root) {
  const moved = path.join(root, "tools", "notebook", "kernel.cjs");
  return fs.existsSync(moved) ? moved : path.join(root, "bin", "kernel.cjs");
}

function main(args) {
  const kernel = args[0];
  const connectionFile = args[1];
  const registeredIn = args[2];
  const root = findLab(process.cwd()) || (registeredIn && isLab(registeredIn) ? registeredIn : undefined);
  if (!root) {
    console.error(
      "The " + kernel + " kernel of the APIM streaming lab did not find the lab: open the notebook from the lab's folder, or run `npm run kernels -- --user` there.",
    );
    process.exit(1);
  }
  require(kernelModule(root)).startKernel(kernel, connectionFile, root);
}

module.exports = { findLab: findLab, kernelModule: kernelModule };

if (require.main === module) main(process.argv.slice(2));

/**
 * A notebook kernel of the lab, tslab or Deno, running in the lab's root folder.
 *
 * Both kernels compile the cells' local imports relative to their working folder (tslab
 * only files under it), so the cells' `./lib/index` is the lab's lib/ when the kernel runs
 * in the root, wherever the notebook sits: no link from notebooks/ to lib/ is needed,
 * which a checkout on Windows would not have. `npm start` runs cells the same way.
 * Started by kernel-launcher.cjs; CommonJS because it runs without a TypeScript loader.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");

/** The Deno binary of the lab's `deno` package (it copies its platform binary beside bin.cjs). */
function denoBinary(root, platform) {
  const exe = path.join(root, "node_modules", "deno", platform === "win32" ? "deno.exe" : "deno");
  if (fs.existsSync(exe)) return exe;
  // When the copy was not made, the package's own installer API says where the binary is.
  return require(path.join(root, "node_modules", "deno", "install_api.cjs")).runInstall();
}

function needInstall(root, what) {
  console.error(what + " is not installed in " + root + ": run `npm ci` there, then start the kernel again.");
  process.exit(1);
}

function startTslab(connectionFile, root) {
  const main = path.join(root, "node_modules", "tslab", "dist", "main.js");
  if (!fs.existsSync(main)) needInstall(root, "tslab");
  // tslab reads its working folder once, when its compiler starts: the root, from here on.
  process.chdir(root);
  // Comm messages (the notebook's widgets extension sends them) answered without a red line.
  require("./tslab-comms.cjs").installQuietComms(path.dirname(main));
  require(main).startKernel({ configPath: connectionFile, enableFindLocal: false });
}

/**
 * Deno's kernel is a program of its own: it runs as a child in the root folder, with this
 * process standing in for it. Jupyter signals the kernel's process group on Linux and
 * macOS, so the child gets an interrupt (SIGINT) by itself; other signals are passed on.
 */
function startDeno(connectionFile, root) {
  if (!fs.existsSync(path.join(root, "node_modules", "deno"))) needInstall(root, "deno");
  const child = spawn(denoBinary(root, process.platform), ["jupyter", "--kernel", "--conn", connectionFile], {
    cwd: root,
    stdio: "inherit",
    // The machine running the lab may be offline: no update check.
    env: Object.assign({}, process.env, { DENO_NO_UPDATE_CHECK: "1" }),
  });
  process.on("SIGINT", () => {}); // for the child, which has it already
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("error", (error) => {
    console.error("The Deno kernel did not start: " + error.message);
    process.exit(1);
  });
  child.on("exit", (code, signal) => process.exit(code === null ? (signal === "SIGTERM" ? 0 : 1) : code));
}

function startKernel(kernel, connectionFile, root) {
  if (kernel === "tslab") return startTslab(connectionFile, root);
  if (kernel === "deno") return startDeno(connectionFile, root);
  console.error("unknown kernel " + JSON.stringify(kernel) + ": tslab or deno");
  process.exit(2);
}

module.exports = { startKernel: startKernel, denoBinary: denoBinary };

/**
 * The two notebook kernels of this lab, tslab and Deno, registered as Jupyter kernel specs
 * (`npm run kernels`, bin/kernels.ts), inside the repository or in the user's Jupyter folder.
 *
 * A kernel spec is a folder with a kernel.json; each of ours also holds a copy of
 * kernel-launcher.cjs (beside this file), which finds the lab from the notebook's folder and
 * starts the kernel in the lab's root (kernel.cjs). Registering again rewrites the same files.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export const repoRoot = path.resolve(__dirname, "..", "..");

/** The folder to put in JUPYTER_PATH so that Jupyter finds the in-repo kernels. */
export const repoJupyterPath = path.join(repoRoot, ".jupyter", "share", "jupyter");

export type KernelName = "tslab" | "deno";
export const kernelNames: readonly KernelName[] = ["tslab", "deno"];

const LAUNCHER = "kernel-launcher.cjs";

interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  metadata?: Record<string, unknown>;
}

/** Where a machine keeps things: the parts of `process` and `os` this module reads. */
export interface Machine {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
}

const thisMachine: Machine = { platform: process.platform, env: process.env, home: homedir() };

/** Path functions of the machine's kind, so the Windows branch can be tested on Linux. */
function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/**
 * The spec of one kernel. The kernel runs under the Node.js that registered it (an
 * absolute path: a VS Code started from the desktop may not have the user's `node` on
 * PATH), so register again after switching Node.js versions. The launcher is named by
 * `{resource_dir}`, the spec's own folder (Jupyter; VS Code since its Jupyter extension
 * 2025.1), so a spec inside the repository keeps working when the repository moves.
 */
export function kernelSpec(name: KernelName, root: string, execPath: string, platform: NodeJS.Platform): KernelSpec {
  const p = pathFor(platform);
  return {
    // `{connection_file}` is an argument of its own (tslab issue #36); the root is the fallback
    // for a notebook outside any checkout.
    argv: [execPath, p.join("{resource_dir}", LAUNCHER), name, "{connection_file}", root],
    display_name: name === "tslab" ? "TypeScript (tslab)" : "Deno",
    language: "typescript",
    metadata: { "apim-streaming-lab": true },
  };
}

/** Jupyter's per-user data folder, as jupyter_core computes it. */
export function userJupyterDataDir(machine: Machine = thisMachine): string {
  const p = pathFor(machine.platform);
  if (machine.env.JUPYTER_DATA_DIR) return machine.env.JUPYTER_DATA_DIR;
  if (machine.platform === "win32") return p.join(machine.env.APPDATA ?? p.join(machine.home, "AppData", "Roaming"), "jupyter");
  if (machine.platform === "darwin") return p.join(machine.home, "Library", "Jupyter");
  return p.join(machine.env.XDG_DATA_HOME ?? p.join(machine.home, ".local", "share"), "jupyter");
}

/** Writes one kernel spec folder; returns "created", "updated" or "unchanged". */
function writeSpec(dataDir: string, name: KernelName): string {
  const dir = path.join(dataDir, "kernels", name);
  const file = path.join(dir, "kernel.json");
  const launcher = path.join(dir, LAUNCHER);
  const text = JSON.stringify(kernelSpec(name, repoRoot, process.execPath, process.platform), null, 2) + "\n";
  const launcherText = readFileSync(path.join(__dirname, LAUNCHER), "utf8");
  const before = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const launcherBefore = existsSync(launcher) ? readFileSync(launcher, "utf8") : undefined;
  if (before === text && launcherBefore === launcherText) return "unchanged";
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(__dirname, LAUNCHER), launcher);
  writeFileSync(file, text);
  return before === undefined ? "created" : "updated";
}

/** Registers both kernels in `dataDir` (default: inside the repository). */
export function registerKernels(dataDir: string = repoJupyterPath): Record<KernelName, string> {
  const tslab = path.join(repoRoot, "node_modules", "tslab", "dist", "main.js");
  if (!existsSync(tslab)) throw new Error(`tslab is not installed (${tslab} missing): run npm ci`);
  return { tslab: writeSpec(dataDir, "tslab"), deno: writeSpec(dataDir, "deno") };
}

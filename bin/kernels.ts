/**
 * Registers the two notebook kernels of this lab, tslab and Deno, both running the
 * binaries in this repository's own `node_modules`:
 *
 *   npm run kernels             inside the repository: <repo>/.jupyter/share/jupyter/kernels
 *                               (git-ignored; Jupyter finds it through JUPYTER_PATH)
 *   npm run kernels -- --user   also in your user's Jupyter folder, for a VS Code or
 *                               Jupyter started from the desktop without JUPYTER_PATH
 *
 * The kernel specs are written directly (a folder with a kernel.json), which is what
 * `tslab install` and `deno jupyter --install` do too, minus their need for Python
 * (tslab) and their fixed user-level target (Deno). Running it again rewrites the same
 * files: it is idempotent.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export const repoRoot = path.resolve(__dirname, "..");

/** The folder to put in JUPYTER_PATH so that Jupyter finds the in-repo kernels. */
export const repoJupyterPath = path.join(repoRoot, ".jupyter", "share", "jupyter");

export type KernelName = "tslab" | "deno";
export const kernelNames: readonly KernelName[] = ["tslab", "deno"];

interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

function denoBinary(): string {
  const exe = path.join(repoRoot, "node_modules", "deno", process.platform === "win32" ? "deno.exe" : "deno");
  if (existsSync(exe)) return exe;
  // The npm package normally copies its platform binary next to bin.cjs; when it
  // could not, its own installer API tells where the binary is.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require(path.join(repoRoot, "node_modules", "deno", "install_api.cjs")) as { runInstall(): string };
  return api.runInstall();
}

/**
 * The kernel specs. tslab runs under the Node.js that ran this command (an absolute
 * path, because a desktop-started VS Code may not have the user's `node` on PATH);
 * register again after switching Node.js versions.
 */
export function kernelSpecs(): Record<KernelName, KernelSpec> {
  const tslabMain = path.join(repoRoot, "node_modules", "tslab", "bin", "tslab");
  if (!existsSync(tslabMain)) throw new Error(`tslab is not installed (${tslabMain} missing): run npm install`);
  return {
    tslab: {
      // `--config-path` and `{connection_file}` are separate arguments (tslab issue #36).
      argv: [process.execPath, tslabMain, "kernel", "--config-path", "{connection_file}"],
      display_name: "TypeScript (tslab)",
      language: "typescript",
    },
    deno: {
      argv: [denoBinary(), "jupyter", "--kernel", "--conn", "{connection_file}"],
      display_name: "Deno",
      language: "typescript",
      // The machine running the lab may have no internet: skip Deno's update check.
      env: { DENO_NO_UPDATE_CHECK: "1" },
    },
  };
}

/** Jupyter's per-user data folder, as jupyter_core computes it. */
export function userJupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "win32") return path.join(process.env.APPDATA ?? path.join(homedir(), "AppData", "Roaming"), "jupyter");
  if (process.platform === "darwin") return path.join(homedir(), "Library", "Jupyter");
  return path.join(process.env.XDG_DATA_HOME ?? path.join(homedir(), ".local", "share"), "jupyter");
}

/** Writes one kernel spec folder; returns "created", "updated" or "unchanged". */
function writeSpec(dataDir: string, name: KernelName, spec: KernelSpec): string {
  const dir = path.join(dataDir, "kernels", name);
  const file = path.join(dir, "kernel.json");
  const text = JSON.stringify(spec, null, 2) + "\n";
  const before = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  if (before === text) return "unchanged";
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  return before === undefined ? "created" : "updated";
}

/** Registers both kernels in `dataDir` (default: inside the repository). */
export function registerKernels(dataDir: string = repoJupyterPath): Record<KernelName, string> {
  const specs = kernelSpecs();
  return {
    tslab: writeSpec(dataDir, "tslab", specs.tslab),
    deno: writeSpec(dataDir, "deno", specs.deno),
  };
}

function main(args: string[]): void {
  const unknown = args.filter((a) => a !== "--user");
  if (unknown.length > 0) {
    console.error(`usage: npm run kernels [-- --user]   (unknown: ${unknown.join(" ")})`);
    process.exit(2);
  }
  const targets = [repoJupyterPath];
  if (args.includes("--user")) targets.push(userJupyterDataDir());
  for (const dataDir of targets) {
    const result = registerKernels(dataDir);
    for (const name of kernelNames) console.log(`${name}: ${result[name]} ${path.join(dataDir, "kernels", name)}`);
  }
  console.log(`\nJupyter finds the in-repo kernels with JUPYTER_PATH=${repoJupyterPath}`);
  console.log(`  e.g. JUPYTER_PATH=${repoJupyterPath} jupyter kernelspec list`);
  if (!args.includes("--user")) {
    console.log("For VS Code or Jupyter started from the desktop, register them for your user too: npm run kernels -- --user");
  }
}

if (require.main === module) main(process.argv.slice(2));

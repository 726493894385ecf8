// Kernel registration on every attendee's machine: the Windows, macOS and Linux branches
// of the spec and the user's Jupyter folder, and how the launcher finds the lab.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "node:test";
import { kernelSpec, repoRoot, userJupyterDataDir } from "../tools/notebook/kernels";
import { findLab, kernelModule } from "../tools/notebook/kernel-launcher.cjs";
import { denoBinary } from "../tools/notebook/kernel.cjs";

test("a Windows kernel spec runs node.exe on the launcher in the spec's folder, with backslash paths", () => {
  const spec = kernelSpec("deno", "D:\\Ünïcode lab\\x y", "C:\\Program Files\\nodejs\\node.exe", "win32");
  assert.deepEqual(spec.argv, [
    "C:\\Program Files\\nodejs\\node.exe",
    "{resource_dir}\\kernel-launcher.cjs",
    "deno",
    "{connection_file}",
    "D:\\Ünïcode lab\\x y",
  ]);
  assert.equal(spec.display_name, "Deno");
});

test("a Linux kernel spec names the same parts with forward slashes", () => {
  const spec = kernelSpec("tslab", "/home/ana/lab", "/usr/bin/node", "linux");
  assert.deepEqual(spec.argv, ["/usr/bin/node", "{resource_dir}/kernel-launcher.cjs", "tslab", "{connection_file}", "/home/ana/lab"]);
  assert.equal(spec.display_name, "TypeScript (tslab)");
});

test("the user's Jupyter folder, as jupyter_core computes it on each platform", () => {
  assert.equal(
    userJupyterDataDir({ platform: "win32", env: { APPDATA: "C:\\Users\\Ana\\AppData\\Roaming" }, home: "C:\\Users\\Ana" }),
    "C:\\Users\\Ana\\AppData\\Roaming\\jupyter",
  );
  assert.equal(userJupyterDataDir({ platform: "win32", env: {}, home: "C:\\Users\\Ana" }), "C:\\Users\\Ana\\AppData\\Roaming\\jupyter");
  assert.equal(userJupyterDataDir({ platform: "darwin", env: {}, home: "/Users/ana" }), "/Users/ana/Library/Jupyter");
  assert.equal(userJupyterDataDir({ platform: "linux", env: {}, home: "/home/ana" }), "/home/ana/.local/share/jupyter");
  assert.equal(userJupyterDataDir({ platform: "linux", env: { XDG_DATA_HOME: "/x" }, home: "/home/ana" }), "/x/jupyter");
  assert.equal(userJupyterDataDir({ platform: "win32", env: { JUPYTER_DATA_DIR: "E:\\j" }, home: "C:\\Users\\Ana" }), "E:\\j");
});

test("the launcher finds the lab from any folder inside it, and nothing outside one", () => {
  const top = mkdtempSync(path.join(tmpdir(), "Ünïcode lab "));
  const lab = path.join(top, "x y");
  mkdirSync(path.join(lab, "notebooks", "deep"), { recursive: true });
  writeFileSync(path.join(lab, "package.json"), JSON.stringify({ name: "apim-streaming-lab" }));
  writeFileSync(path.join(top, "package.json"), JSON.stringify({ name: "something-else" }));
  assert.equal(findLab(path.join(lab, "notebooks", "deep")), lab);
  assert.equal(findLab(lab), lab);
  assert.equal(findLab(top), undefined);
});

test("the launcher starts the kernel program of the checkout it found, also one from before it moved out of bin/", () => {
  const old = mkdtempSync(path.join(tmpdir(), "lab-old-"));
  mkdirSync(path.join(old, "bin"));
  writeFileSync(path.join(old, "bin", "kernel.cjs"), "");
  assert.equal(kernelModule(old), path.join(old, "bin", "kernel.cjs"));
  assert.equal(kernelModule(repoRoot), path.join(repoRoot, "tools", "notebook", "kernel.cjs"));
  assert.ok(existsSync(kernelModule(repoRoot)), "this checkout's kernel program exists where the launcher looks");
});

test("Deno's binary is deno.exe on Windows and deno elsewhere", () => {
  const root = mkdtempSync(path.join(tmpdir(), "lab-"));
  mkdirSync(path.join(root, "node_modules", "deno"), { recursive: true });
  writeFileSync(path.join(root, "node_modules", "deno", "deno.exe"), "");
  writeFileSync(path.join(root, "node_modules", "deno", "deno"), "");
  assert.equal(denoBinary(root, "win32"), path.join(root, "node_modules", "deno", "deno.exe"));
  assert.equal(denoBinary(root, "linux"), path.join(root, "node_modules", "deno", "deno"));
});

/**
 * The notebook kernel (tslab) compiles and loads `lib/` itself, with its own
 * TypeScript 5.0, non-strict, ignoring tsconfig.json. Code that passes our strict
 * check can still fail there (newer syntax; narrowing that needs strictNullChecks;
 * a bare import that tslab resolves to a local file of the same name first), so load
 * the notebook's import exactly as the kernel does.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import test from "node:test";

function libFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? libFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

test("no lib file shares its name with a package it imports (tslab would load the file)", () => {
  const clashes: string[] = [];
  for (const file of libFiles("lib")) {
    for (const [, spec] of readFileSync(file, "utf8").matchAll(/from\s+"([^".][^"]*)"/g)) {
      if (spec.startsWith("node:")) continue;
      if (existsSync(join(dirname(file), spec + ".ts")) || existsSync(join(dirname(file), spec + ".js"))) clashes.push(`${file} imports "${spec}"`);
    }
  }
  assert.deepEqual(clashes, []);
});

test("lib/ compiles and loads in the tslab kernel", { timeout: 60_000 }, async () => {
  // In the lab's root, as the lab's kernels and `npm start` run (tools/notebook/kernel.cjs).
  process.chdir(resolve(__dirname, ".."));
  const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
  const { createExecutor } = require("tslab/dist/executor") as typeof import("tslab/dist/executor");
  const converter = createConverter({ isJS: false, isBrowser: false });
  const errors: string[] = [];
  const executor = createExecutor(process.cwd(), { node: converter, browser: converter, close: () => converter.close() }, {
    log: () => undefined,
    error: (...args: unknown[]) => errors.push(args.map(String).join(" ")),
  });
  try {
    const result = converter.convert("", 'import * as lab from "./lib/index";\n');
    const problems = result.diagnostics.map((d) => `${d.fileName ?? "cell"}:${d.start.line + 1}:${d.start.character + 1} ${d.messageText}`);
    assert.deepEqual(problems, []);
    const realError = console.error;
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
    let ok: boolean;
    try {
      ok = await executor.execute('import * as lab from "./lib/index";\nconst exported = Object.keys(lab).length;\n');
    } finally {
      console.error = realError;
    }
    assert.deepEqual(errors, []);
    assert.equal(ok, true);
    assert.ok((executor.locals.exported as number) > 10, "lib/index exports the notebook's helpers");
  } finally {
    executor.close();
    converter.close();
  }
});

/**
 * The notebook kernel (tslab) compiles `lib/` itself, with its own TypeScript 5.0,
 * non-strict, and ignores tsconfig.json. Code that passes our strict check can still
 * fail there (newer syntax; narrowing that needs strictNullChecks), so compile the
 * notebook's import exactly as the kernel does.
 */
import assert from "node:assert/strict";
import { resolve } from "node:path";
import test from "node:test";

test("lib/ compiles in the tslab kernel's TypeScript", { timeout: 60_000 }, () => {
  process.chdir(resolve("notebooks"));
  const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
  const converter = createConverter({ isJS: false, isBrowser: false });
  try {
    const result = converter.convert("", 'import * as lab from "./lib/index";\nconsole.log(Object.keys(lab).length);\n');
    const problems = result.diagnostics.map((d) => `${d.fileName ?? "cell"}:${d.start.line + 1}:${d.start.character + 1} ${d.messageText}`);
    assert.deepEqual(problems, []);
    assert.ok(result.output && result.output.includes("require("), "the cell compiled to CommonJS");
  } finally {
    converter.close();
  }
});

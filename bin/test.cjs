/**
 * `npm test`: every test/*.test.ts with Node's test runner and the tsx loader. The file
 * list is made here, not by a shell glob: Windows shells pass `test/*.test.ts` on as it
 * is, and Node 20 does not expand it. Arguments are passed on (`npm test -- --test-name-pattern=x`).
 */
"use strict";
const { spawnSync } = require("child_process");
const { readdirSync } = require("fs");
const path = require("path");

const dir = path.join(__dirname, "..", "test");
const files = readdirSync(dir).filter((f) => f.endsWith(".test.ts")).sort().map((f) => path.join("test", f));
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...process.argv.slice(2), ...files], {
  stdio: "inherit",
  cwd: path.join(__dirname, ".."),
});
process.exit(run.status === null ? 1 : run.status);

// Tests the Node.js version check that every command runs first: bin/check-node.cjs, and
// tools/node-version.cjs, which holds the check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "..");
const script = path.join(root, "bin", "check-node.cjs");
const library = path.join(root, "tools", "node-version.cjs");

interface CheckNode {
  parseVersion(text: string): [number, number, number] | null;
  satisfies(version: string, range: string): boolean;
  describeRange(range: string): string;
  checkVersion(version: string, range?: string): string | null;
  readRange(packageJsonPath: string): string;
  DEFAULT_RANGE: string;
}
const check = createRequire(import.meta.url)(library) as CheckNode;

const engines = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).engines.node as string;

test("package.json engines is what the check reads", () => {
  assert.equal(check.readRange(path.join(root, "package.json")), engines);
  assert.equal(check.readRange(path.join(root, "no-such-package.json")), check.DEFAULT_RANGE);
});

test("supported versions pass under the project's engines range", () => {
  for (const v of ["20.19.0", "20.19.5", "20.20.2", "v20.20.2", "22.12.0", "22.21.1", "24.0.0", "24.21.0", "26.12.1"]) {
    assert.equal(check.checkVersion(v, engines), null, v);
  }
});

test("older versions get one line naming the needed version", () => {
  for (const v of ["20.18.3", "20.0.0", "18.20.4", "16.20.2", "14.21.3", "10.24.1", "0.12.18"]) {
    const line = check.checkVersion(v, engines);
    assert.ok(line, v);
    assert.ok(!line.includes("\n"), "one line");
    assert.match(line, /needs Node\.js \d+\.\d+/);
  }
  assert.equal(
    check.checkVersion("v18.20.4", ">=20.19.0"),
    "This lab needs Node.js 20.19 or newer (you have 18.20.4). Install Node 24 LTS from nodejs.org.",
  );
});

test("pre-release and odd version strings", () => {
  assert.deepEqual(check.parseVersion("v24.0.0-rc.1"), [24, 0, 0]);
  assert.deepEqual(check.parseVersion("20.19"), [20, 19, 0]);
  assert.equal(check.parseVersion("not a version"), null);
  assert.equal(check.satisfies("not a version", ">=20.19.0"), false);
});

test("range forms other than >=", () => {
  const r = "^20.19.0 || >=22.12.0";
  assert.equal(check.satisfies("20.19.0", r), true);
  assert.equal(check.satisfies("20.18.3", r), false);
  assert.equal(check.satisfies("22.11.0", r), false);
  assert.equal(check.satisfies("22.12.0", r), true);
  assert.equal(check.satisfies("24.21.0", r), true);
  assert.equal(check.satisfies("21.7.3", r), false);
  assert.equal(check.satisfies("24.1.0", ">=20 <25"), true);
  assert.equal(check.satisfies("25.0.0", ">=20 <25"), false);
  assert.equal(check.satisfies("22.1.0", "~22.1"), true);
  assert.equal(check.satisfies("22.2.0", "~22.1"), false);
  assert.equal(check.satisfies("20.99.0", "20.x"), true);
  assert.equal(check.satisfies("21.0.0", "20.x"), false);
  assert.equal(check.satisfies("22.0.0", "20 - 22"), true);
  assert.equal(check.satisfies("23.0.0", "20 - 22"), false);
  assert.equal(check.satisfies("1.0.0", "*"), true);
  assert.equal(check.satisfies("24.0.0", ">= 20.19.0"), true);
  assert.equal(check.describeRange(">=20.19.0"), "20.19 or newer");
  assert.equal(check.describeRange(">=22"), "22.0 or newer");
  assert.equal(check.describeRange(">=20.19.1"), "20.19.1 or newer");
  assert.equal(check.describeRange(r), "20.19+ or 22.12+");
  assert.equal(check.describeRange(">=20 <25"), 'a version matching ">=20 <25"');
  // Node 22.0-22.11 cannot require() ES modules without a flag: the range above leaves them out.
  assert.equal(
    check.checkVersion("22.11.0", r),
    "This lab needs Node.js 20.19+ or 22.12+ (you have 22.11.0). Install Node 24 LTS from nodejs.org.",
  );
});

test("the script is silent on this Node and prints one line for a pretended old one", () => {
  assert.equal(execFileSync(process.execPath, [script], { encoding: "utf8" }), "");
  const old = spawnSync(process.execPath, [script], {
    encoding: "utf8",
    env: { ...process.env, CHECK_NODE_VERSION: "18.20.4" },
  });
  assert.equal(old.status, 1);
  assert.equal(old.stdout, "");
  assert.equal(old.stderr, `${check.checkVersion("18.20.4", engines)}\n`);
});

test("the script and its check stay ES5: no arrows, let/const, template strings or classes", () => {
  for (const file of [script, library]) {
    const code = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
    assert.doesNotMatch(code, /=>|\blet\s|\bconst\s|`|\bclass\s|\.\.\./, file);
  }
});

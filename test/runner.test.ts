/**
 * The headless runner (`npm start`) on a small fixture notebook. One test per file:
 * while cells run, the runner captures this process's standard output.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { runNotebook, type Notebook } from "../tools/notebook/runner";

const fixture = "test/fixtures/runner/fixture.ipynb";

test("runs cells in order, keeps outputs and pictures, stops at the failing step", { timeout: 60_000 }, async () => {
  const outPath = join(mkdtempSync(join(tmpdir(), "lab-runner-")), "fixture.ipynb");
  let terminal = "";
  const result = await runNotebook({ notebookPath: fixture, outPath, parameters: { greeting: "bonjour" }, write: (t) => (terminal += t) });
  assert.equal(result.ok, false);
  assert.deepEqual(result.steps.map((s) => [s.title, s.ok]), [
    ["0. Parameters", true],
    ["Parameters given to the runner", true],
    ["0. Parameters", true],
    ["1. A picture", true],
    ["2. A failing step", false],
  ]);
  assert.equal(result.steps[4].error, "Error: the fixture fails here");
  assert.match(terminal, /━━ \[3\/6\] 0\. Parameters\ngreeting: bonjour\n/);
  assert.ok(!terminal.includes("unreachable"));

  const saved = JSON.parse(readFileSync(outPath, "utf8")) as Notebook;
  const cell = (id: string) => saved.cells.find((c) => c.id === id)!;
  assert.deepEqual(cell("echo").outputs, [{ output_type: "stream", name: "stdout", text: ["greeting: bonjour\n"] }]);
  const picture = cell("picture").outputs!;
  assert.equal(picture[0].output_type, "display_data");
  assert.match(String((picture[0] as { data: Record<string, unknown> }).data["image/svg+xml"]), /^<svg /);
  assert.equal(result.files.length, 1);
  assert.match(readFileSync(result.files[0], "utf8"), /^<svg /);
  const failing = cell("failing").outputs!;
  assert.deepEqual(failing[failing.length - 1], { output_type: "error", ename: "Error", evalue: "the fixture fails here", traceback: [] });
  assert.deepEqual(cell("never").outputs, []);
  assert.equal(cell("never").execution_count ?? null, null);
});

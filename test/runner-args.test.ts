/** The headless runner's parameter injection and step titles (no cells run). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import { stepTitle, withParameters, type Notebook } from "../tools/notebook/runner";

const fixture = "test/fixtures/runner/fixture.ipynb";

test("parameters are injected right after the parameters cell, as papermill does", () => {
  const notebook = JSON.parse(readFileSync(fixture, "utf8")) as Notebook;
  const injected = withParameters(notebook, { greeting: "hi" });
  const ids = injected.cells.map((c) => c.id);
  assert.deepEqual(ids.slice(2, 5), ["parameters", "injected-parameters", "echo"]);
  assert.equal(notebook.cells.length + 1, injected.cells.length, "the input is not changed");
  assert.equal(stepTitle(injected.cells, 4), "0. Parameters");
  assert.equal(stepTitle(injected.cells, 3), "Parameters given to the runner");
});

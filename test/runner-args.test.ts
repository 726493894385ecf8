/** The headless runner's arguments and parameter injection (no cells run). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import { stepTitle, withParameters, type Notebook } from "../bin/notebook-runner";
import { parseArgs } from "../bin/start";

const fixture = "test/fixtures/runner/fixture.ipynb";

test("flags become settings; bad flags fail in one line", () => {
  assert.deepEqual(parseArgs(["--target", "azure", "--deployment-name=my-lab", "--out", "x.ipynb"]), {
    notebook: "notebooks/streaming.ipynb",
    out: "x.ipynb",
    parameters: { target: "azure", deploymentName: "my-lab" },
  });
  assert.throws(() => parseArgs(["--deploymnet-name", "x"]), /^UsageError: unknown option --deploymnet-name: usage: npm start -- /);
  assert.throws(() => parseArgs(["--target"]), /--target needs a value/);
});

test("parameters are injected right after the parameters cell, as papermill does", () => {
  const notebook = JSON.parse(readFileSync(fixture, "utf8")) as Notebook;
  const injected = withParameters(notebook, { greeting: "hi" });
  const ids = injected.cells.map((c) => c.id);
  assert.deepEqual(ids.slice(2, 5), ["parameters", "injected-parameters", "echo"]);
  assert.equal(notebook.cells.length + 1, injected.cells.length, "the input is not changed");
  assert.equal(stepTitle(injected.cells, 4), "0. Parameters");
  assert.equal(stepTitle(injected.cells, 3), "Parameters given to the runner");
});

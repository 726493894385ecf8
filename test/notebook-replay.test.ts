/**
 * The notebook on a replay, as a workshop runs it: first its own calls are recorded through
 * an upstream (`upstream` + `record`), then the notebook runs again on the recordings alone
 * (`replay`), the upstream gone. A simulator behind a small proxy stands in for Azure: the
 * proxy drops the lab's `x-lab-*` headers, which a real endpoint ignores, so the
 * recordings hold plain answers and the replay applies the appendix's faults itself.
 * One test in this file: the runner captures the process's stdout while cells run.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { closeSharedLocalLab } from "../lib/connect";
import { startBackend } from "../lib/local-lab/backend/index";
import { parseRecording } from "../lib/local-lab/recording/index";
import { checkExecuted, cellViews } from "../tools/notebook/check";
import { streamingFacts } from "../tools/notebook/facts";
import { runNotebook, type Notebook } from "../tools/notebook/runner";

test("the notebook runs on a replay of its own calls, recorded through an upstream, with the upstream gone", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lab-notebook-replay-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const azure = await startBackend({ timing: { firstTokenMs: 60, tokenMs: 4, jitter: 0.2 } });
  const proxy = createServer((req, res) => {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !name.startsWith("x-lab-")));
    const out = request(`${azure.url}${req.url}`, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const previousKey = process.env.LAB_UPSTREAM_API_KEY;
  process.env.LAB_UPSTREAM_API_KEY = azure.apiKey;
  t.after(() => {
    if (previousKey === undefined) delete process.env.LAB_UPSTREAM_API_KEY;
    else process.env.LAB_UPSTREAM_API_KEY = previousKey;
  });

  const out = mkdtempSync(join(tmpdir(), "lab-notebook-replay-out-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  let terminal = "";
  const write = (text: string) => void (terminal += text);
  try {
    const recorded = await runNotebook({
      notebookPath: "notebooks/streaming.ipynb",
      outPath: join(out, "recorded.ipynb"),
      parameters: { upstream: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, record: dir },
      write,
      cleanup: closeSharedLocalLab,
    });
    assert.ok(recorded.ok, `the recording run failed: ${recorded.steps.find((s) => !s.ok)?.error}\n${terminal.slice(-1500)}`);
  } finally {
    proxy.closeAllConnections();
    proxy.close();
    await azure.close();
  }
  // One file a model call: the raw call, the SDK call, the Responses step's three, buffering off
  // and on, the three filter modes, the appendix's two.
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 12, files.join(", "));
  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    assert.ok(!text.includes(azure.apiKey), `${file} holds the upstream's key`);
    assert.equal(parseRecording(text, file).response.status, 200);
  }

  terminal = "";
  const replayed = await runNotebook({ notebookPath: "notebooks/streaming.ipynb", outPath: join(out, "replayed.ipynb"), parameters: { replay: dir }, write, cleanup: closeSharedLocalLab });
  const failed = replayed.steps.find((s) => !s.ok);
  assert.equal(failed, undefined, `step failed on the replay: ${failed?.title}: ${failed?.error}\n${terminal.slice(-1500)}`);
  const notebook = JSON.parse(readFileSync(join(out, "replayed.ipynb"), "utf8")) as Notebook;
  // Every fact the kernels' check asks of the notebook holds on the replay, the faults appendix's among them.
  assert.deepEqual(checkExecuted(notebook, streamingFacts), []);
  const requests = cellViews(notebook).find((c) => c.id === "requests")!;
  assert.match(requests.text, /x-lab-backend\s*[│|:]\s*replay/);
  assert.match(requests.text, /x-lab-recording\s*[│|:]\s*\S+\.jsonl/);
});

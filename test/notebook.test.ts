/**
 * The notebook itself, end to end: run every code cell headless on the local lab at
 * its default latency, as `npm start` does, then check what an attendee would see,
 * and that none of the run's secrets reached the terminal, the executed notebook or
 * any file written beside it. One test in this file: the runner captures the
 * process's stdout while cells run.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import test from "node:test";
import { closeSharedLocalLab } from "../lib/connect";
import { knownSecrets } from "../lib/report/mask";
import type { LocalLab } from "../lib/local-lab/index";
import { runNotebook, sourceText, type Notebook } from "../tools/notebook/runner";

test("the notebook runs end to end on the local lab", { timeout: 120_000 }, async () => {
  const outPath = join(mkdtempSync(join(tmpdir(), "lab-notebook-")), "streaming.ipynb");
  let terminal = "";
  const labSecrets: string[] = [];
  const result = await runNotebook({
    notebookPath: "notebooks/streaming.ipynb",
    outPath,
    write: (text) => {
      terminal += text;
    },
    cleanup: async () => {
      const shared = (globalThis as unknown as Record<symbol, { lab: Promise<LocalLab> } | undefined>)[Symbol.for("apim-streaming-lab.localLab")];
      const lab = await shared?.lab;
      if (lab) labSecrets.push(...lab.issuedSecrets());
      await closeSharedLocalLab();
    },
  });
  const failed = result.steps.find((s) => !s.ok);
  assert.equal(failed, undefined, `step failed: ${failed?.title}: ${failed?.error}\n${terminal.slice(-2000)}`);

  const saved = readFileSync(outPath, "utf8");
  const notebook = JSON.parse(saved) as Notebook;
  const code = notebook.cells.filter((c) => c.cell_type === "code");
  for (const cell of code) {
    assert.ok((cell.outputs ?? []).length > 0, `cell ${cell.id} has no outputs`);
    assert.ok(!(cell.outputs ?? []).some((o) => o.output_type === "error"), `cell ${cell.id} failed`);
  }
  const text = (id: string) =>
    (code.find((c) => c.id === id)?.outputs ?? [])
      .map((o) => (o.output_type === "stream" ? o.text.join("") : o.output_type === "display_data" ? `${String(o.data["text/plain"] ?? "")}\n` : ""))
      .join("");

  const http = text("requests");
  assert.match(http, /status code: 200/);
  assert.match(http, /x-ms-stream: True/);
  assert.match(http, /Apim-Trace-Id: \S+/);
  // One short row per event as it arrived (lib/report/live.ts), then the raw data: lines in full.
  const rows = [...http.matchAll(/^\s*(\d+) ms  (content|prompt-filter|role|finish|usage|done) .*$/gm)];
  const arrivals = rows.map((m) => Number(m[1]));
  assert.ok(arrivals.length >= 20, `only ${arrivals.length} rows`);
  assert.ok(arrivals[arrivals.length - 1] - arrivals[0] >= 1000, `rows span only ${arrivals[arrivals.length - 1] - arrivals[0]} ms`);
  assert.ok(rows.every((m) => m[0].length <= 110), "each row fits the output area");
  assert.equal((http.match(/^data: \{/gm) ?? []).length, arrivals.length - 1, "a raw data: line for each JSON event");
  assert.match(http, /^data: \[DONE\]$/m);

  const sdk = text("sdk");
  assert.match(sdk, /x-ms-stream: True/);
  const numbers = Array.from({ length: 100 }, (_, i) => i + 1).join(", ");
  assert.ok(sdk.includes(`Full conversation received: ${numbers}`), "the SDK step shows the whole count");

  for (const id of ["trace1", "trace2"]) {
    const trace = text(id);
    for (const section of ["inbound", "backend", "outbound"]) assert.match(trace, new RegExp(`^${section} \\(\\d+ entries\\)$`, "m"), `${id} shows no ${section} table`);
  }

  // Each streaming call: a chart (SVG display data) and a summary; the buffering step compares two.
  const svgs = (id: string) => (code.find((c) => c.id === id)?.outputs ?? []).filter((o) => o.output_type === "display_data" && typeof o.data["image/svg+xml"] === "string");
  for (const id of ["requests", "sdk", "buffering", "bursts"]) {
    assert.equal(svgs(id).length, 1, `${id} shows one chart`);
    assert.match(text(id), /time to first content/, `${id} shows a summary`);
  }
  assert.match(text("requests"), /tokens \(prompt \+ completion = total\)\s*│\s*\d+ \+ \d+ = \d+/, "usage comes from the stream");
  assert.match(text("buffering"), /With buffering on, the first content arrived after \d+ ms instead of \d+ ms/);
  assert.match(text("bursts"), /default filter: \d+ chunks in [1-9] bursts? \(longest silence \d+ ms\); asynchronous filter: \d+ chunks/, "the bursts step measures the three modes");
  assert.match(String((svgs("bursts")[0] as { data: Record<string, unknown> }).data["image/svg+xml"]), /default filter[\s\S]*asynchronous filter[\s\S]*no filter/, "three lanes on one chart");
  // The Responses API step: named events as they arrive, no [DONE], both APIs on one chart.
  const responses = text("responses");
  const named = [...responses.matchAll(/^event: (response\.[a-z_.]+)\ndata: \{"type":"\1","sequence_number":(\d+)/gm)];
  assert.match(responses, /^\s*\d+ ms  output_text\.delta\s+\d+ B  "/m, "a row per event, with its name and arrival time");
  assert.ok(named.length >= 20, `only ${named.length} named events`);
  assert.deepEqual(named.map((m) => Number(m[2])), named.map((_, i) => i), "sequence_number 0, 1, 2...");
  assert.equal(named[named.length - 1][1], "response.completed");
  assert.ok(!/data: \[DONE\]/.test(responses), "no [DONE] in the Responses stream");
  assert.equal(svgs("responses").length, 1, "responses shows one chart");
  assert.match(String((svgs("responses")[0] as { data: Record<string, unknown> }).data["image/svg+xml"]), /Chat Completions \(SDK\)[\s\S]*Responses API \(SDK\)/);
  assert.ok(responses.includes(`Full response received: ${numbers}`));
  assert.equal(svgs("breaks").length, 1, "What breaks streaming shows its lanes on one chart");
  assert.match(text("breaks"), /^set-body reads body: The whole body at the end: .* Buffered by set-body/m);
  assert.match(text("breaks"), /^llm-token-limit: 429 after \d+ ms, before any stream/m);
  const faults = text("faults");
  assert.match(faults, /^✖ RateLimitError \(HTTP 429\): .* → retry in 7 s$/m, "a 429 in one line, with when to retry");
  assert.match(faults, /^✖ stream incomplete: 40 chunks kept \(\d+ with content\), no \[DONE\]: connection closed before the stream ended/m);
  assert.ok(!/\n\s+at /.test(faults), "no stack dump");
  const chart = String((svgs("buffering")[0] as { data: Record<string, unknown> }).data["image/svg+xml"]);
  assert.match(chart, /buffering off[\s\S]*buffering on/, "both lanes on one chart");

  // Every byte the run wrote, scanned for every secret of the run: those the lab made or
  // handed out (subscription key, management token, backend key, each debug token) and
  // those the client registered (the management bearer token among them).
  assert.ok(labSecrets.length >= 4, `the lab reported ${labSecrets.length} secrets`);
  const secrets = [...new Set([...labSecrets, ...knownSecrets()])];
  const written = readdirSync(dirname(outPath)).map((name) => join(dirname(outPath), name));
  assert.deepEqual(written.sort(), [outPath, ...result.files].sort(), "the notebook and its charts, nothing else");
  assert.equal(result.files.length, 7, "one chart a streaming step: requests, sdk, responses, buffering, breaks, bursts, faults");
  const outputs: [string, string][] = [["the terminal", terminal], ...written.map((f): [string, string] => [f, readFileSync(f, "utf8")])];
  for (const secret of secrets) {
    for (const [where, text] of outputs) {
      assert.ok(!text.includes(secret), `a secret (…${secret.slice(-4)}) reached ${where}`);
      // Masked secrets keep their last four characters only: never a longer tail.
      assert.ok(!text.includes(secret.slice(-12)), `twelve characters of a secret (…${secret.slice(-4)}) reached ${where}`);
    }
  }
  assert.ok(sourceText(code[0]).includes("parameters"));
});

// The checks `npm run test:kernels` applies to notebooks executed in Jupyter, on
// synthetic executed notebooks: no Jupyter needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkExecuted, compareKernels, shows, type CellJson, type NotebookJson, type OutputJson } from "../tools/notebook/check";
import { smokeFacts, streamingFacts } from "../tools/notebook/facts";

const stdout = (text: string): OutputJson => ({ output_type: "stream", name: "stdout", text });
const svg = (): OutputJson => ({ output_type: "display_data", data: { "image/svg+xml": "<svg/>", "text/plain": "a chart" } });
const code = (id: string, outputs: OutputJson[], extra: Partial<CellJson> = {}): CellJson => ({
  cell_type: "code",
  id,
  source: `// ${id}\n`,
  metadata: {},
  execution_count: 1,
  outputs,
  ...extra,
});
const notebook = (...cells: CellJson[]): NotebookJson => ({
  cells: [{ cell_type: "markdown", id: "title", source: "# t" }, ...cells],
});

describe("checkExecuted", () => {
  it("passes a notebook whose cells all ran and showed something", () => {
    const nb = notebook(code("a", [stdout("hello\n")]), code("b", [svg()]));
    assert.deepEqual(checkExecuted(nb, []), []);
  });

  it("fails a cell with an error output (Deno, ipykernel)", () => {
    const nb = notebook(code("a", [stdout("ok\n")]), code("b", [{ output_type: "error", ename: "Error", evalue: "boom", traceback: [] }]));
    assert.deepEqual(checkExecuted(nb, []), ["cell b failed: Error: boom"]);
  });

  it("fails a cell whose execute_reply said error, with the message from stderr (tslab)", () => {
    const nb = notebook(
      code("b", [{ output_type: "stream", name: "stderr", text: "evalmachine.<anonymous>:2\nthrow x;\n^\n\nError: deliberate failure\n    at x\n" }], {
        metadata: { kernel_check: { status: "error", ename: null, evalue: null } },
      }),
      code("c", [], { metadata: { kernel_check: { status: "abort" } } }),
    );
    assert.deepEqual(checkExecuted(nb, []), [
      "cell b failed: Error: deliberate failure",
      "cell c did not run: the kernel aborted it after an earlier failure",
    ]);
  });

  it("fails a cell that lost its output", () => {
    const nb = notebook(code("a", [stdout("ok\n")]), code("lost", []));
    const problems = checkExecuted(nb, []);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^cell lost has no output/);
  });

  it("lets cells tagged no-output be silent, not the parameters cell; ignores empty cells", () => {
    const nb = notebook(
      code("quiet", [], { metadata: { tags: ["no-output"] } }),
      code("empty", [], { source: "  \n" }),
      code("a", [stdout("x\n")]),
    );
    assert.deepEqual(checkExecuted(nb, []), []);
    const silentParameters = notebook(code("parameters", [], { metadata: { tags: ["parameters"] } }));
    assert.match(checkExecuted(silentParameters, [])[0], /^cell parameters has no output/);
  });

  it("fails a fact that does not show, and reads text without ANSI colours", () => {
    const nb = notebook(code("a", [{ output_type: "execute_result", data: { "text/plain": "\u001b[32m\"status: 200\"\u001b[39m" } }]));
    assert.deepEqual(checkExecuted(nb, [shows("status 200", /"status: 200"/)]), []);
    assert.deepEqual(checkExecuted(nb, [shows("status 404", /status: 404/)]), ["not shown: status 404"]);
  });

  it("fails the smoke notebook's burst fact when one of 200 lines is lost", () => {
    const lines = (skip?: number) =>
      Array.from({ length: 200 }, (_, i) => i + 1).filter((n) => n !== skip).map((n) => `line ${n} of 200\n`).join("");
    const burst = smokeFacts.filter((f) => f.name.startsWith("a burst"));
    assert.deepEqual(checkExecuted(notebook(code("many-lines", [stdout(lines())])), burst), []);
    assert.equal(checkExecuted(notebook(code("many-lines", [stdout(lines(137))])), burst).length, 1);
  });

  it("takes step 9's sentence with a lane in one burst (a replay of a fast upstream), not without the sentence", () => {
    const burstFacts = streamingFacts.filter((f) => f.name.startsWith("the bursts step"));
    const sentence = "Content arrived as follows. default filter: 298 chunks in 1 burst; asynchronous filter: 298 chunks in 1 burst; no filter: 298 chunks in 1 burst.\n";
    assert.deepEqual(checkExecuted(notebook(code("bursts", [stdout(sentence)])), burstFacts), []);
    assert.equal(checkExecuted(notebook(code("bursts", [stdout("Content arrived.\n")])), burstFacts).length, 1);
  });

  it("accepts the lab notebook's facts on outputs shaped like the lab's, and names each one missing", () => {
    const trace = "inbound (7 entries)\n...\nbackend (2 entries)\n...\noutbound (2 entries)\n";
    const nb = notebook(
      code("outputs", [stdout("👉🏻 Subscription key: ***K7e0\n")]),
      code("requests", [stdout("status code: 200\nApim-Trace-Id: a48be4fc-d5ad-4792-8747-bb38c15c98f8\n║ x-ms-stream  │ True ║\n  2271 ms  data: [DONE]\n")]),
      code("trace1", [stdout(trace)]),
      code("sdk", [stdout(`Apim-Trace-Id: 0635bb32-9faf-4750-8030-d726a1dfc921\nFull conversation received: ${Array.from({ length: 100 }, (_, i) => i + 1).join(", ")}\n`)]),
      code("trace2", [stdout(trace)]),
      code("responses", [
        stdout(
          '   345 ms  created           412 B  {"type":"response.created"}\n' +
            '   350 ms  output_text.delta     218 B  "1"\n' +
            '   884 ms  completed        1290 B  {"type":"response.completed"}\n' +
            "\nThe raw data: lines:\n" +
            'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{}}\n' +
            "✔ stream complete: 305 chunks (298 with content), response.completed seen\n" +
            `Full response received: ${Array.from({ length: 100 }, (_, i) => i + 1).join(", ")}\n` +
            "With Responses API (SDK), the first content arrived after 354 ms instead of 347 ms (Chat Completions (SDK)): 7 ms later (1.0×).\n" +
            "║ `event:` lines               │ 0                        │ 36     ║\n║ usage in                     │ usage                    │ response.completed ║\n" +
            trace,
        ),
      ]),
      code("buffering", [svg(), stdout("With buffering on, the first content arrived after 613 ms instead of 308 ms (buffering off): 305 ms later (2.0×).\n")]),
      code("bursts", [svg(), stdout("Content arrived as follows. default filter: 207 chunks in 3 bursts (longest silence 2212 ms); asynchronous filter: 207 chunks one by one; no filter: 207 chunks one by one.\n")]),
      code("faults", [stdout("✖ RateLimitError (HTTP 429): Please retry after 7 seconds. → retry in 7 s\n✖ stream incomplete: 40 chunks kept (38 with content), no [DONE]: connection closed\n")]),
      code("breaks", [
        stdout("lab policy: Relayed as it came: first content after 344 ms, 178 arrivals over 3629 ms.\n"),
        stdout('buffer-response=true: In 11 pieces (8 KB each but the last): first content after 625 ms. Buffered by forward-request buffer-response="true" (8 KB pieces).\n'),
        stdout("set-body reads body: The whole body at the end: nothing for 3939 ms, then all 181 chunks within 9 ms. Buffered by set-body (its trace entry: read in full before it ran).\n"),
        stdout("validate-content: The whole body at the end: nothing for 3946 ms, then all 181 chunks within 8 ms. Buffered by validate-content (its trace entry: read in full before it ran).\n"),
        stdout("llm-token-limit: 429 after 30 ms, before any stream, Retry-After 57 s: the token budget was spent by an earlier call.\n"),
      ]),
    );
    assert.deepEqual(checkExecuted(nb, streamingFacts), []);
    const cut = notebook(code("sdk", [stdout("Full conversation received: 1, 2, 3, 4\n")]));
    const problems = checkExecuted(cut, streamingFacts);
    assert.equal(problems.length, streamingFacts.length);
    assert.ok(problems.includes("not shown: the SDK's full reply, 1 to 100"));
  });

  it("takes a masked key whose last four characters end in a non-word character (base64url '-')", () => {
    const masked = streamingFacts.filter((f) => f.name.includes("subscription key masked"));
    assert.deepEqual(checkExecuted(notebook(code("outputs", [stdout("👉🏻 Subscription key: ***0ZE-\n")])), masked), []);
    assert.equal(checkExecuted(notebook(code("outputs", [stdout("👉🏻 Subscription key: 0ZE-abcdefgh\n")])), masked).length, 1);
  });
});

describe("compareKernels", () => {
  it("reports rich output shown under one kernel only", () => {
    const tslab = notebook(code("chart", [svg()]));
    const deno = notebook(code("chart", [stdout("a chart\n")]));
    assert.deepEqual(compareKernels({ tslab, deno }), ["cell chart: image/svg+xml shown under tslab but not under deno"]);
    assert.deepEqual(compareKernels({ tslab, deno: tslab }), []);
  });
});

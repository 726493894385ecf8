// One display module decides: tables as an HTML bundle (text fallback inside) in a kernel,
// text tables in a terminal; a live display redraws in place in a kernel.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { afterEach, describe, it } from "node:test";
import { liveDisplay, showTables, showText } from "../lib/report/display";
import { breakableHtml, detailsHtml, tableHtml } from "../lib/report/html";
import { showTrace } from "../lib/report/show";
import { printedLines } from "./fixtures/console";

const tslab = createRequire(__filename)("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };

interface Sent {
  data: Record<string, string>;
  transient: { display_id?: string };
  update: boolean;
}

/** Acts as tslab does while a cell runs: its display hook is set. */
function inKernel(): Sent[] {
  const sent: Sent[] = [];
  tslab.lastWriteDisplayData = (message: Omit<Sent, "update">, update: boolean) => sent.push({ ...message, update });
  return sent;
}

const printed = (run: () => void): string => printedLines(run).join("\n");

afterEach(() => {
  tslab.lastWriteDisplayData = null;
});

const table = { title: "inbound (1 entry)", header: ["source", "summary"], rows: [["set-header", "api-key: sk-abcdefghijklmnop1234"]] };

describe("showTables", () => {
  it("prints text tables in a terminal", () => {
    const text = printed(() => showTables([table], "Trace 42"));
    assert.match(text, /^Trace 42\n\ninbound \(1 entry\)\n╔/);
    assert.match(text, /║ set-header │ /);
  });

  it("sends one HTML bundle in a kernel, the text tables as its text/plain, secrets masked in both", () => {
    const sent = inKernel();
    assert.equal(printed(() => showTables([table], "Trace 42")), "");
    assert.equal(sent.length, 1);
    const { data } = sent[0];
    assert.deepEqual(Object.keys(data).sort(), ["text/html", "text/plain"]);
    assert.match(data["text/html"], /^<p>Trace 42<\/p><p><b>inbound \(1 entry\)<\/b><\/p><table><thead><tr><th[^>]*>source<\/th>/);
    assert.match(data["text/plain"], /║ set-header │ /);
    for (const mime of ["text/html", "text/plain"]) assert.ok(!data[mime].includes("sk-abcdefghijklmnop1234"), `${mime} shows the key`);
  });
});

describe("liveDisplay", () => {
  it("is undefined in a terminal", () => {
    assert.equal(liveDisplay(), undefined);
  });

  it("shows once, then updates the same display id in place", () => {
    const sent = inKernel();
    const live = liveDisplay()!;
    live.show("<pre>1</pre>", "1");
    live.show("<pre>2</pre>", "2");
    assert.deepEqual(sent.map((s) => s.update), [false, true]);
    assert.ok(sent[0].transient.display_id);
    assert.equal(sent[1].transient.display_id, sent[0].transient.display_id);
    assert.deepEqual(sent[1].data, { "text/html": "<pre>2</pre>", "text/plain": "2" });
  });
});

describe("HTML", () => {
  it("breaks long tokens after URL punctuation and hyphens, a run without them every 30 characters, and escapes", () => {
    assert.equal(breakableHtml("GET https://lab.example/openai/deployments?x=1&y=<2>"), "GET https:/<wbr>/<wbr>lab.example/<wbr>openai/<wbr>deployments?<wbr>x=<wbr>1&amp;<wbr>y=<wbr>&lt;2&gt;");
    assert.equal(breakableHtml("a".repeat(65)), `${"a".repeat(30)}<wbr>${"a".repeat(30)}<wbr>aaaaa`);
    assert.equal(breakableHtml("authentication-managed-identity"), "authentication-<wbr>managed-<wbr>identity");
    assert.equal(breakableHtml("short words stay"), "short words stay");
  });

  it("writes a table's cells masked and escaped", () => {
    const html = tableHtml({ header: ["a"], rows: [["<b>"], ["Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"]] });
    assert.match(html, /<td[^>]*>&lt;b&gt;<\/td>/);
    assert.ok(!html.replace(/<wbr>/g, "").includes("eyJzdWIiOiJ4In0"), "the token is masked");
  });

  it("draws the disclosure's marker as text, the native one hidden", () => {
    assert.equal(detailsHtml("Raw <data>", "<pre>x</pre>"), '<details><summary style="list-style:none;cursor:pointer">▸ Raw &lt;data&gt;</summary><pre>x</pre></details>');
  });

  it("the trace step shows HTML tables, then the raw JSON behind a visible ▸", () => {
    const sent = inKernel();
    showTrace({ traceId: "t-1", traceEntries: { inbound: [{ source: "api-inspector", elapsed: "00:00:00.0012", data: { message: "hello" } }] } });
    assert.equal(sent.length, 2);
    assert.match(sent[0].data["text/html"], /<table>/);
    assert.match(sent[0].data["text/plain"], /inbound \(1 entry\)/);
    assert.match(sent[1].data["text/html"], /^<details><summary style="list-style:none;cursor:pointer">▸ Raw trace JSON/);
  });
});

describe("showText", () => {
  it("prints text as it is in a kernel when every line fits the output area", () => {
    const sent = inKernel();
    assert.equal(printed(() => showText(`${"x".repeat(110)}\nshort`)), `${"x".repeat(110)}\nshort`);
    assert.equal(sent.length, 0);
  });

  it("shows a line too wide for the output area as HTML that can wrap, in a kernel only", () => {
    const id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/lab/providers/Microsoft.ApiManagement/service/apim-x";
    const sent = inKernel();
    assert.equal(printed(() => showText(`👉🏻 APIM Service Id: ${id}`)), "");
    assert.equal(sent[0].data["text/plain"], `👉🏻 APIM Service Id: ${id}`);
    assert.match(sent[0].data["text/html"], /^<pre>👉🏻 APIM Service Id: \/<wbr>subscriptions\/<wbr>/);
    tslab.lastWriteDisplayData = null;
    assert.equal(printed(() => showText(id)), id);
  });
});

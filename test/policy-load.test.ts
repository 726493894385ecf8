// Loading a policy document: what is refused, in one line with file:line, before anything
// runs; `npm run lab -- --policy FILE` exits 2 with that line. Both of APIM's forms load.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePolicy, PolicyLoadError } from "../lib/local-lab/policy/document";
import { supportedElements } from "../lib/local-lab/policy/registry";

const dir = mkdtempSync(join(tmpdir(), "policy-load-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A document with `inbound` as the inbound section's content. */
const doc = (inbound: string, outbound = "<base />") =>
  `<policies>\n    <inbound>\n        <base />\n${inbound}\n    </inbound>\n    <backend>\n        <forward-request buffer-response="false" />\n    </backend>\n    <outbound>\n        ${outbound}\n    </outbound>\n</policies>\n`;

function refusal(text: string): string {
  try {
    parsePolicy(text, "p.xml");
  } catch (e) {
    assert.ok(e instanceof PolicyLoadError, String(e));
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    return e.message;
  }
  assert.fail("the document loaded");
}

test("an unknown element: file:line and APIM's 'Error in element' words", () => {
  assert.equal(
    refusal(doc('        <cors allow-credentials="true" />')),
    "p.xml:4: Error in element 'cors' on line 4, column 9: Unknown element (it is not a policy of the lab's subset; see the README's table)",
  );
});

test("a policy in a section APIM does not allow it in is refused as APIM refuses it", () => {
  assert.match(refusal(doc("", '<forward-request buffer-response="false" />')), /^p\.xml:10: Error in element 'forward-request' on line 10, column 9: Policy is not allowed in this section \(outbound\); APIM allows it in backend$/);
  assert.match(refusal(doc('        <llm-token-limit counter-key="k" tokens-per-minute="5" estimate-prompt-tokens="false" />', '<llm-token-limit counter-key="k" tokens-per-minute="5" estimate-prompt-tokens="false" />')), /^p\.xml:10: .*'llm-token-limit'.*not allowed in this section \(outbound\)/);
  assert.match(refusal(doc("", "<set-body>x</set-body>").replace("<outbound>", "<on-error>").replace("</outbound>", "</on-error>")), /'set-body'.*not allowed in this section \(on-error\)/);
});

test("an unsupported expression: the line it is on and what is not supported", () => {
  const message = refusal(doc('        <set-variable name="when" value="@{\n            var t = DateTime.UtcNow;\n            return t.ToString();\n        }" />'));
  assert.equal(message.split(":")[1], "5", message);
  assert.match(message, /^p\.xml:5: Error in element 'set-variable' on line 4, column 9: unsupported policy expression: 'DateTime' is not supported/);
});

test("malformed XML: the line the parser stopped at", () => {
  assert.match(refusal(doc('        <set-header name="a">\n            <value>1</value>\n        </set-heade>')), /^p\.xml:6: malformed XML: /);
  assert.match(refusal(doc('        <set-variable name="a" value="@(context.Variables["x"]" />')), /^p\.xml:4: malformed policy expression: .* never closed/);
});

test("attributes are checked once, at load: required, choices, no expressions where APIM allows none", () => {
  assert.match(refusal(doc('        <set-variable value="1" />')), /the attribute 'name' is required/);
  assert.match(refusal(doc("").replace('buffer-response="false"', 'buffer-response="maybe"')), /'buffer-response' must be 'true' or 'false', got 'maybe'/);
  assert.match(refusal(doc("").replace('buffer-response="false"', 'buffer-response="@(true)"')), /'buffer-response' does not take policy expressions/);
  assert.match(refusal(doc("        <choose><otherwise /></choose>")), /choose must contain at least one <when>/);
});

test("rawxml and escaped xml load to the same policies", () => {
  const raw = readFileSync("policies/openai.xml", "utf8");
  const escaped = raw.replace(/="(@[({][\s\S]*?[)}])"(?=[\s/>])/g, (_m, code: string) => `="${code.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")}"`);
  assert.notEqual(escaped, raw);
  assert.match(escaped, /As&lt;JObject&gt;\(true\)\[&quot;stream&quot;\] != null &amp;&amp;/);
  const names = (text: string) => Object.entries(parsePolicy(text, "x.xml").sections).map(([s, list]) => `${s}: ${list.map((p) => p.name).join(" ")}`);
  assert.deepEqual(names(escaped), names(raw));
  assert.deepEqual(names(raw), [
    "inbound: base authentication-managed-identity set-header set-backend-service choose",
    "backend: forward-request",
    "outbound: base set-header",
    "on-error: base",
  ]);
});

test("the registry holds the documented subset", () => {
  assert.deepEqual(supportedElements().sort(), [
    "authentication-managed-identity", "azure-openai-emit-token-metric", "azure-openai-token-limit", "choose", "forward-request",
    "llm-emit-token-metric", "llm-token-limit", "log-to-eventhub", "rate-limit", "return-response", "set-backend-service", "set-body",
    "set-header", "set-status", "set-variable", "validate-content",
  ]);
});

/** `npm run lab -- --policy FILE` as spawned by npm: its exit code and what it printed. */
function labWith(file: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bin/lab.ts", "--policy", file]);
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (c) => (stderr += c));
  child.stdout.on("data", (c) => (stdout += c));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr, stdout })));
}

for (const [what, text, pattern] of [
  ["an unknown element", doc("        <cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" />"), /Error in element 'cache-lookup' on line 4, column 9: Unknown element/],
  ["an unsupported expression", doc('        <set-header name="x-when" exists-action="override">\n            <value>@(DateTime.UtcNow.ToString())</value>\n        </set-header>'), /:5: Error in element 'value' on line 5, column 13: unsupported policy expression: 'DateTime' is not supported/],
  ["malformed XML", doc("        <set-header name=\"a\">"), /:5: malformed XML: unexpected close tag/],
] as const) {
  test(`npm run lab -- --policy with ${what}: one line with file:line, exit code 2, nothing started`, async () => {
    const file = join(dir, `${what.replace(/ /g, "-")}.xml`);
    writeFileSync(file, text);
    const r = await labWith(file);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "", "no lab was started");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].startsWith(`lab: ${file}:`), lines[0]);
    assert.match(lines[0], pattern);
  });
}

// Policy expressions: the subset's parser and evaluator, against the expressions of the
// lab's own policy (policies/openai.xml) and the examples of APIM's reference. No servers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { setAsideExpressions } from "../lib/local-lab/policy/source";
import { parseExpression, ExpressionError } from "../lib/local-lab/policy/expression/parse";
import { evaluate, EvaluationError, type ExpressionScope } from "../lib/local-lab/policy/expression/evaluate";
import { dotNetText, TEXT_LIMIT } from "../lib/local-lab/policy/expression/json-text";

/** A scope with a request body and variables, as the engine's context gives one. */
function scope(body: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): ExpressionScope {
  let parsed: { value?: unknown; error?: string } | undefined;
  return {
    variables: new Map(Object.entries(variables)),
    header: (_which, name) => headers[name.toLowerCase()],
    hasBody: () => true,
    bodyText: () => body,
    bodyJson: () => {
      parsed ??= (() => {
        if (body.trim() === "") return { error: "Object reference not set to an instance of an object." };
        try {
          return { value: JSON.parse(body) };
        } catch (e) {
          return { error: (e as Error).message };
        }
      })();
      if (parsed.error !== undefined) throw new EvaluationError(parsed.error);
      return parsed.value;
    },
    property: (part, name) => (part === "Response" && name === "StatusCode" ? 200 : undefined),
  };
}

const run = (code: string, s: ExpressionScope, kind: "(" | "{" = "(") => evaluate(parseExpression(code, kind), s);

// The lab policy's expressions, in document order: Authorization, when condition, isStream, x-ms-stream.
const lab = setAsideExpressions(readFileSync("policies/openai.xml", "utf8")).expressions;
const [authorization, condition, isStream, xMsStream] = lab.map((e) => parseExpression(e.code, e.kind));

/** What the lab policy's inbound leaves in `isStream` for a body (undefined: the when was false). */
function streamField(body: string): string | undefined {
  const s = scope(body);
  if (evaluate(condition, s) !== true) return undefined;
  return evaluate(isStream, s) as string;
}
const header = (field: string | undefined) => evaluate(xMsStream, scope("", field === undefined ? {} : { isStream: field }));

test("the lab policy's four expressions are set aside from its rawxml and parse", () => {
  assert.equal(lab.length, 4);
  assert.match(lab[1].text, /^@\(context\.Request\.Body\.As<JObject>\(true\)\["stream"\] != null && /);
  assert.equal(condition.readsRequestBody, true);
  assert.equal(xMsStream.readsResponseBody, false);
  assert.equal(evaluate(authorization, scope("{}", { "managed-id-access-token": "t0k" })), "Bearer t0k");
});

test("x-ms-stream follows the policy: JToken text compared to 'true' ignoring case", () => {
  assert.equal(streamField('{"stream":true}'), "True");
  assert.equal(streamField('{"stream":false}'), "False");
  assert.equal(streamField('{"stream":"TRUE"}'), "TRUE");
  assert.equal(streamField('{"stream":null}'), undefined);
  assert.equal(streamField('{"messages":[]}'), undefined);
  assert.equal(header(streamField('{"stream":true}')), "True");
  assert.equal(header(streamField('{"stream":"TrUe"}')), "True");
  assert.equal(header(streamField('{"stream":false}')), "False");
  assert.equal(header(streamField('{"stream":1}')), "False");
  assert.equal(header(streamField('{"stream":null}')), "False");
  assert.equal(header(undefined), "False");
  assert.equal(dotNetText(1.5), "1.5");
  // Body.As<JObject> throws on these: the policy fails, as in APIM.
  for (const body of ["not json", "[1]", ""]) assert.throws(() => streamField(body), EvaluationError, body);
});

test("a nested stream value prints as bounded indented JSON, never megabytes", () => {
  assert.equal(streamField('{"stream":{"a":[1,true]}}'), '{\n  "a": [\n    1,\n    true\n  ]\n}');
  const deep = "[".repeat(200_000) + "]".repeat(200_000);
  const started = process.hrtime.bigint();
  const text = streamField(`{"stream":${deep}}`)!;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(text.length <= TEXT_LIMIT + 1 && text.endsWith("…"), `length ${text.length}`);
  const wide = JSON.stringify({ stream: Array.from({ length: 100_000 }, (_, i) => ({ i })) });
  assert.ok(streamField(wide)!.length <= TEXT_LIMIT + 1);
  assert.ok(ms < 2_000, `${ms} ms`);
});

test("the guidelines' expressions: headers with defaults, variables, comparisons, null checks, blocks", () => {
  const s = scope('{"model":"gpt-4o","n":2,"x":null}', { isMobile: true, count: 3, name: "Lab" }, { "user-agent": "Mozilla (iPad)" });
  assert.equal(run('context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPad") || context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPhone")', s), true);
  assert.equal(run('context.Request.Headers.GetValueOrDefault("x-missing", "N/A")', s), "N/A");
  assert.equal(run('context.Variables.GetValueOrDefault<bool>("isMobile")', s), true);
  assert.equal(run('context.Variables.GetValueOrDefault<bool>("absent")', s), false);
  assert.throws(() => run('context.Variables.GetValueOrDefault<string>("isMobile")', s), EvaluationError, "a type that does not match throws");
  assert.equal(run('context.Variables.ContainsKey("name") ? "yes" : "no"', s), "yes");
  assert.equal(run('(string)context.Variables["name"] == "Lab" && !("a" != "a")', s), true);
  assert.equal(run('context.Request.Body.As<JObject>(preserveContent: true)["x"].Type == JTokenType.Null', s), true);
  assert.equal(run('context.Request.Body?.As<JObject>(true)["absent"] == null', s), true);
  assert.equal(run('context.Response.StatusCode == 200', s), true);
  assert.equal(run('"Lab".Equals("LAB", StringComparison.OrdinalIgnoreCase).ToString()', s), "True");
  assert.equal(run('"Lab".Equals("LAB")', s), false);
  assert.equal(run('var b = context.Request.Body.As<JObject>(true); if (b["n"] != null) { return "n=" + b["n"].ToString(); } return "none";', s, "{"), "n=2");
  assert.equal(run('(string)context.Request.Body.As<JObject>(true)["model"] ?? "unknown"', s), "gpt-4o");
});

test("anything outside the subset is refused at parse time, saying what", () => {
  const refused = (code: string, what: RegExp, kind: "(" | "{" = "(") =>
    assert.throws(() => parseExpression(code, kind), (e: unknown) => e instanceof ExpressionError && what.test(e.message), code);
  refused("DateTime.UtcNow.ToString()", /'DateTime' is not supported/);
  refused("context.Product.Name", /context\.Product is not supported/);
  refused('Regex.Match("a", "b")', /'Regex' is not supported/);
  refused('context.Request.Headers.GetValueOrDefault("a","").Split(",")', /Split\(\) is not supported/);
  refused("new JObject()", /'new' is not supported/);
  refused("x => x", /'x' is not supported/);
  refused("1 * 2", /'\*' is not supported/);
  refused('var a = 1; a = 2; return a;', /statement starting with 'a'/, "{");
  refused('var a = "x";', /must end with return/, "{");
});

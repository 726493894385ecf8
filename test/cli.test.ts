// tools/cli.ts: what every command does with Node's parseArgs errors, and the value checks they share.
import assert from "node:assert/strict";
import test from "node:test";
import { integer, oneOf, parseFlags, UsageError } from "../tools/cli";

const spec = {
  run: "npm run x",
  usage: "usage: npm run x",
  options: { port: { type: "string" }, json: { type: "boolean" }, kernel: { type: "string", multiple: true } },
} as const;

function problem(argv: string[]): string {
  try {
    parseFlags(spec, argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  return "(accepted)";
}

test("both forms of a flag, repeated flags and --help are read", () => {
  assert.deepEqual({ ...parseFlags(spec, ["--port", "80", "--kernel=a", "--kernel", "b", "--json"]).values }, { port: "80", kernel: ["a", "b"], json: true });
  assert.deepEqual({ ...parseFlags(spec, ["--port=80"]).values }, { port: "80" });
  assert.equal(parseFlags(spec, ["-h"]).values.help, true);
});

test("Node's parseArgs errors become one line in the lab's words", () => {
  assert.equal(problem(["--bogus"]), "unknown option --bogus");
  assert.equal(problem(["-x"]), "unknown option -x");
  assert.equal(problem(["--port"]), "--port needs a value");
  assert.equal(problem(["--port", "--json"]), "--port needs a value (one that starts with '-' goes as --port=VALUE)");
  assert.equal(problem(["--json=1"]), "--json takes no value");
  assert.equal(problem(["stray"]), "unexpected argument 'stray': every value goes after its --option");
});

test("integer and oneOf refuse in one line that names the flag, the range and the value", () => {
  assert.equal(integer("port", "8080", 0, 65535), 8080);
  assert.throws(() => integer("port", "65536", 0, 65535), { message: "--port must be a whole number from 0 to 65535, got '65536'" });
  assert.throws(() => integer("count", "1.5", 1), { message: "--count must be a whole number from 1 up, got '1.5'" });
  assert.throws(() => integer("count", "", 1), UsageError);
  assert.equal(oneOf("latency", "none", ["default", "none"]), "none");
  assert.throws(() => oneOf("latency", "slow", ["default", "none"]), { message: "--latency must be 'default' or 'none', got 'slow'" });
});

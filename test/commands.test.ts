// The commands behind the npm scripts, as a user types them: flags read with util.parseArgs
// in both forms (--flag value, --flag=value), and every mistake one line on stderr that says
// what to do, with exit code 2, before anything starts.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import test from "node:test";

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, ...args], { cwd: process.cwd() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A few at a time: each is a Node process with tsx. */
async function all<T, R>(items: T[], each: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await each(items[i]);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

const COMMANDS = {
  lab: { file: "bin/lab.ts", run: "npm run lab" },
  start: { file: "bin/start.ts", run: "npm start" },
  bench: { file: "bin/bench.ts", run: "npm run bench" },
  "leak-check": { file: "bin/leak-check.ts", run: "npm run leak-check" },
  "abuse-check": { file: "bin/abuse-check.ts", run: "npm run abuse-check" },
  "test:kernels": { file: "bin/test-kernels.ts", run: "npm run test:kernels" },
  kernels: { file: "bin/kernels.ts", run: "npm run kernels" },
  compare: { file: "bin/compare.ts", run: "npm run compare" },
};
type Name = keyof typeof COMMANDS;

/** The one line a mistake prints: `name: what is wrong; see <how to run it> -- --help`. */
async function refused(name: Name, args: string[], problem: RegExp): Promise<void> {
  const { file, run: how } = COMMANDS[name];
  const ran = await run(file, args);
  const what = `${name} ${args.join(" ")}`;
  assert.equal(ran.code, 2, `${what}: exit code (stderr: ${ran.stderr})`);
  assert.equal(ran.stdout, "", `${what}: nothing on stdout`);
  const lines = ran.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `${what}: one line, got ${ran.stderr}`);
  assert.ok(lines[0].startsWith(`${name}: `), `${what}: ${lines[0]}`);
  assert.ok(lines[0].endsWith(`; see ${how} -- --help`), `${what}: ${lines[0]}`);
  assert.match(lines[0], problem, what);
}

test("an unknown option is named as such by every command", async () => {
  const names = Object.keys(COMMANDS) as Name[];
  await all(names, (name) => refused(name, ["--bogus"], /: unknown option --bogus;/));
});

test("npm start: an unknown option, a missing value, a setting's own check; both flag forms reach the settings", async () => {
  await all<[string[], RegExp], void>(
    [
      [["--target"], /^start: --target needs a value;/],
      [["--target", "--deployment-name", "x"], /^start: --target needs a value \(one that starts with '-' goes as --target=VALUE\);/],
      // Parsed in both forms and passed on as settings: the settings' own check answers.
      [["--target=azure", "--deployment-name", "my-lab", "--management-endpoint", "nope"], /^start: managementEndpoint "nope" is not a URL/],
    ],
    ([args, problem]) => refused("start", args, problem),
  );
});

test("npm run lab: bad values and combinations; every documented flag is taken in either form", async () => {
  await all<[string[], RegExp], void>(
    [
      [["--latency", "slow"], /^lab: --latency must be 'default' or 'none', got 'slow';/],
      [["--gateway-port", "x"], /^lab: --gateway-port must be a whole number from 0 to 65535, got 'x';/],
      [["--content-filter", "async"], /^lab: --content-filter must be 'default' or 'asynchronous' or 'none', got 'async';/],
      [["extra"], /^lab: unexpected argument 'extra'/],
      // All the others parse, so the one combination left wrong is what is reported.
      [
        ["--json", "--buffer-response", "--gateway-port=0", "--management-port", "0", "--backend-port=0", "--latency", "none", "--first-token-ms", "1",
          "--token-ms=1", "--deployment-name=d", "--region", "r", "--fault", "429", "--content-filter=none", "--upstream-kind=azure"],
        /^lab: --upstream-kind needs --upstream URL;/,
      ],
    ],
    ([args, problem]) => refused("lab", args, problem),
  );
});

test("npm run bench, leak-check, test:kernels and kernels: bad values stop them before they start", async () => {
  await all<[Name, string[], RegExp], void>(
    [
      ["bench", ["--tokens-per-event", "0"], /^bench: --tokens-per-event must be a whole number from 1 up, got '0';/],
      // --quick, --profile, --client and --tokens-per-event parse; the unknown cell is named.
      ["bench", ["--quick", "--profile", "--client", "fetch", "--tokens-per-event=4", "--only=zero-1,zero-2"], /^bench: --only: no cell zero-2; the cells are zero-1, zero-100, /],
      ["leak-check", ["--count=5", "--concurrency", "2", "--seed=x"], /^leak-check: --seed must be a whole number from 1 up, got 'x';/],
      ["abuse-check", ["--traced=5", "--unread", "2", "--hold-ms=10", "--rss-bound-mb", "9", "--nested-kb", "2048"], /^abuse-check: --nested-kb must be a whole number from 16 to 1024, got '2048';/],
      ["test:kernels", ["--kernel", "nope"], /^test:kernels: --kernel must be 'tslab' or 'deno', got 'nope';/],
      ["test:kernels", ["--kernel=deno", "--kernel", "tslab", "--cell-timeout", "5", "--run-timeout=9", "no-such.ipynb"], /^test:kernels: no notebook at .*no-such\.ipynb;/],
      ["kernels", ["--user=yes"], /^kernels: --user takes no value;/],
    ],
    ([name, args, problem]) => refused(name, args, problem),
  );
});

test("--help prints the usage on stdout and exits with 0", async () => {
  const ran = await all(["start", "bench"] as Name[], (name) => run(COMMANDS[name].file, ["--help"]));
  for (const [i, name] of (["start", "bench"] as Name[]).entries()) {
    assert.equal(ran[i].code, 0, name);
    assert.equal(ran[i].stderr, "", name);
    assert.ok(ran[i].stdout.startsWith(`usage: ${COMMANDS[name].run} -- [`), ran[i].stdout);
  }
  assert.match(ran[0].stdout, /--deployment-name, --resource-group, --openai-deployment-name/);
  assert.match(ran[1].stdout, /--only {16}a subset of the cells: zero-1, zero-100, zero-1000, default-1, default-100, default-1000/);
});

test("npm run lab: --record needs --upstream, --replay takes none, --replay-speed needs --replay and a number above 0", async () => {
  await all<[string[], RegExp], void>(
    [
      [["--record", "recordings"], /^lab: --record needs --upstream URL/],
      [["--replay", "recordings", "--upstream", "http://127.0.0.1:9"], /^lab: --replay answers from recordings: leave out --upstream;/],
      [["--replay-speed=2"], /^lab: --replay-speed needs --replay DIR;/],
      [["--replay=recordings", "--replay-speed", "0"], /^lab: --replay-speed must be a number above 0 \(2 plays twice as fast\), got '0';/],
    ],
    ([args, problem]) => refused("lab", args, problem),
  );
});

test("npm run lab --replay on a folder without recordings stops with one line that says how to make some", async () => {
  const ran = await run("bin/lab.ts", ["--replay", "test/no-such-folder"]);
  assert.equal(ran.code, 1);
  assert.match(ran.stderr, /^lab: cannot read the recording folder .*no-such-folder: ENOENT\n$/);
  const empty = await run("bin/lab.ts", ["--replay", "test/fixtures/kernels"]);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /^lab: no recordings \(\*\.jsonl\) in .*kernels: make some with npm run lab -- --upstream URL --record test\/fixtures\/kernels\n$/);
});

test("npm run compare: one folder or file of recordings, said so when missing", async () => {
  await all<[string[], RegExp], void>(
    [
      [[], /^compare: give the folder of recordings to compare;/],
      [["a", "b"], /^compare: give one folder \(or file\) of recordings;/],
    ],
    ([args, problem]) => refused("compare", args, problem),
  );
  const missing = await run("bin/compare.ts", ["test/no-such-folder"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^compare: no recording or folder at .*no-such-folder: give a folder made with npm run lab -- --upstream URL --record DIR\n$/);
});

// `npm run lab` as a user runs it: spawned, read, called, stopped with a signal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";

function lab(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", "bin/lab.ts", ...args], { cwd: process.cwd() });
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no line from the lab after 15 s: ${out}`)), 15_000);
    child.stdout.on("data", (c) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.on("exit", (code) => reject(new Error(`lab exited with ${code} before printing`)));
  });
}

const exitCode = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

test("--json prints one line with what a client needs, serves, and stops cleanly on SIGTERM", async () => {
  const child = lab(["--json", "--latency", "none"]);
  let stdout = "";
  child.stdout.on("data", (c) => (stdout += c));
  try {
    const info = JSON.parse(await firstLine(child));
    assert.deepEqual(Object.keys(info).sort(), [
      "apiId", "apimServiceId", "deploymentName", "gatewayUrl", "managementToken", "managementUrl", "resourceGroup", "subscriptionId", "subscriptionKey",
    ]);
    assert.match(info.gatewayUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${info.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
      method: "POST",
      headers: { "api-key": info.subscriptionKey, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Count to 5." }], stream: true }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-ms-stream"), "True");
    assert.ok((await res.text()).endsWith("data: [DONE]\n\n"));
    const exited = exitCode(child);
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.equal(stdout.trimEnd().split("\n").length, 1, "exactly one line on stdout");
  } finally {
    child.kill("SIGKILL");
  }
});

/** Everything on stdout until `pattern` shows up (15 s at most). */
function outputUntil(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} from the lab after 15 s: ${out}`)), 15_000);
    child.stdout.on("data", (c) => {
      out += c;
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on("exit", (code) => reject(new Error(`lab exited with ${code} before printing ${pattern}`)));
  });
}

test("human-readable start-up shows a curl example; SIGINT stops it", async () => {
  const child = lab(["--first-token-ms", "10", "--token-ms", "1", "--buffer-response"]);
  try {
    const out = await outputUntil(child, /'\n/);
    assert.match(out, /^Local lab running/);
    // The example works as printed: its URL and key stream a reply through the gateway.
    const example = /curl -N "([^"]+)" \\\n\s+-H "api-key: ([^"]+)" -H "content-type: application\/json" \\\n\s+-d '([^']+)'/.exec(out);
    assert.ok(example, `no curl example in:\n${out}`);
    const [, url, key, body] = example;
    const res = await fetch(url, { method: "POST", headers: { "api-key": key, "content-type": "application/json" }, body });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-ms-stream"), "True");
    assert.ok((await res.text()).endsWith("data: [DONE]\n\n"));
    const exited = exitCode(child);
    child.kill("SIGINT");
    assert.equal(await exited, 0);
  } finally {
    child.kill("SIGKILL");
  }
});

test("a port in use: one line naming the server and the flag to change, exit code 1", async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const port = (busy.address() as AddressInfo).port;
  try {
    const child = lab(["--latency=none", "--management-port", String(port)]);
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    assert.equal(await exitCode(child), 1);
    assert.equal(stderr, `lab: the management API could not listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE): choose another --management-port, or --management-port 0 for a free one\n`);
  } finally {
    busy.close();
  }
});

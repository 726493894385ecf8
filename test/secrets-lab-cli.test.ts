/**
 * `npm run lab` prints the lab's secrets once, at start-up, because reaching the lab is
 * what they are for, and nothing after that: no request log, no debug token, no key,
 * however the calls go (bad key, injected faults, traced calls).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import test from "node:test";

test("after start-up, the lab prints nothing, whatever the calls; --fault applies to every call", { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "bin/lab.ts", "--json", "--latency", "none", "--fault", "drop-after=4"], { cwd: process.cwd() });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  try {
    const deadline = Date.now() + 15_000;
    while (!stdout.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const info = JSON.parse(stdout.split("\n")[0]) as Record<string, string>;
    const chat = `${info.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`;
    const body = JSON.stringify({ messages: [{ role: "user", content: "Count to 5." }], stream: true });

    const tokenRes = await fetch(`${info.managementUrl}${info.apimServiceId}/gateways/managed/listDebugCredentials?api-version=2024-05-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${info.managementToken}`, "content-type": "application/json" },
      body: JSON.stringify({ credentialsExpireAfter: "PT1H", apiId: info.apiId, purposes: ["tracing"] }),
    });
    const { token } = (await tokenRes.json()) as { token: string };
    assert.ok(token.length > 20);

    const cut = await fetch(chat, { method: "POST", headers: { "api-key": info.subscriptionKey, "apim-debug-authorization": token, "content-type": "application/json" }, body });
    assert.equal(cut.status, 200);
    await assert.rejects(cut.text(), { message: "terminated" });
    const whole = await fetch(chat, { method: "POST", headers: { "api-key": info.subscriptionKey, "content-type": "application/json", "x-lab-fault": "none" }, body });
    assert.ok((await whole.text()).endsWith("data: [DONE]\n\n"));
    const denied = await fetch(chat, { method: "POST", headers: { "api-key": "wrong-key-0123456789", "content-type": "application/json" }, body });
    assert.equal(denied.status, 401);
    await denied.text();
    const traced = await fetch(`${info.managementUrl}${info.apimServiceId}/gateways/managed/listTrace?api-version=2024-05-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${info.managementToken}`, "content-type": "application/json" },
      body: JSON.stringify({ traceId: cut.headers.get("apim-trace-id") }),
    });
    assert.equal(traced.status, 200);
    await traced.text();

    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.equal(stdout.trimEnd().split("\n").length, 1, "only the start-up line");
    assert.equal(stderr, ""); // with stdout at its one start-up line, no later secret (the debug token) was printed
  } finally {
    child.kill("SIGKILL");
  }
});

test("--fault with a bad value: one line on stderr, exit code 2", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "bin/lab.ts", "--fault", "drop-after=x"], { cwd: process.cwd() });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(code, 2);
  assert.equal(stderr, 'lab: --fault: x-lab-fault: "drop-after" needs a whole number from 0 to 100000, got "x"; see npm run lab -- --help\n');
});

/**
 * `npm run abuse-check` on a small scale: every step runs against a live lab in its own
 * process and reports its figures; the lab holds and is healthy after it (exit code 0).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";

test("the abuse check runs every step against a live lab, reports figures, and finds the lab healthy after", async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const args = ["--expose-gc", "--import", "tsx", "bin/abuse-check.ts", "--traced", "3", "--nested-kb", "64", "--unread", "2", "--hold-ms", "100"];
    execFile(process.execPath, args, { timeout: 120_000 }, (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }));
  });
  assert.equal(code, 0, stdout + stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines[0], "abuse check against a live local lab (its own process)");
  const step = (name: string) => lines.find((l) => l.includes(` ${name} `)) ?? "";
  assert.match(step("malformed requests"), /^  ok   .* 120 requests +\d+\.\d s  120 of 120 answered with a 4xx in the server's shape; a normal call after: ok$/);
  assert.match(step("key in the query"), /key in the forwarded request: no$/);
  assert.match(step("nested stream values, traced"), /3 calls of 64 KB: lab RSS \d+ -> \d+ MB, lab CPU [\d.]+ ms a call; 50 calls of 8 KB nested 4000 deep: lab CPU [\d.]+ ms a call; each trace [\d.]+ KB, the policy's text of its stream \d+ characters$/);
  assert.match(step("altered debug tokens"), /issued token traced: yes; altered tokens traced: 0 of 9$/);
  assert.match(step("unread streams"), /2 unread "Count to 10000\." streams held 100 ms: lab RSS \d+ -> \d+ MB \([\d.-]+ MB a stream\)/);
  assert.match(step("the lab after hostile input"), /^  ok   .*alive; a normal call works; RSS \d+ -> \d+ MB/);
  assert.match(step("the lab after unread streams"), /^  ok   /);
});

/**
 * Recording a real upstream's stream through the lab, then replaying it: an HTTP server
 * started here stands in for Azure OpenAI and sends its body in timed pieces (an event
 * split across reads, a character split across reads), with secrets on the way in and out.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import test from "node:test";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { parseRecording } from "../lib/local-lab/recording/index";

const UPSTREAM_KEY = "upstream-key-6f1b2c9d8e7a";
const CALLER_TOKEN = "caller-token-0a9b8c7d6e5f";
const QUERY_SIG = "sig-value-1234567890abcdef";
const COOKIE = "session=cookie-value-77aa88bb";
const SET_COOKIE = "upstream-session=set-cookie-value-99cc00dd";

const event = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }], obfuscation: "x" })}\n\n`;
const whole = event("Bonjour ") + event("café") + "data: [DONE]\n\n";
const cafe = Buffer.from(event("café"));
const split = cafe.indexOf(Buffer.from("é")) + 1; // inside the two bytes of "é"
/** The upstream's body as it sends it: [ms after the request came in, bytes]. */
const PIECES: [number, Buffer][] = [
  [300, Buffer.from(event("Bonjour ").slice(0, 20))],
  [600, Buffer.from(event("Bonjour ").slice(20))],
  [900, cafe.subarray(0, split)],
  [1200, Buffer.concat([cafe.subarray(split), Buffer.from("data: [DONE]\n\n")])],
];

interface Upstream {
  url: string;
  seen: IncomingMessage[];
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "x-ms-region": "East US", "x-ratelimit-remaining-tokens": "9990", "set-cookie": SET_COOKIE, "x-echo": `key was ${UPSTREAM_KEY}` });
      res.flushHeaders();
      for (const [ms, bytes] of PIECES) setTimeout(() => res.write(bytes), ms);
      setTimeout(() => res.end(), PIECES[PIECES.length - 1][0] + 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

interface Reads {
  status: number;
  headers: IncomingMessage["headers"];
  reads: { ms: number; bytes: Buffer }[];
}

const BODY = { messages: [{ role: "user", content: "Say hello in French." }], stream: true };

/** One call through the gateway; each read the client gets, with its time since the request was sent. */
function call(lab: LocalLab, body: unknown = BODY): Promise<Reads> {
  return new Promise((resolve, reject) => {
    const sent = performance.now();
    const req = request(
      `${lab.gatewayUrl}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21&sig=${QUERY_SIG}`,
      { method: "POST", headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "x-caller-token": CALLER_TOKEN, cookie: COOKIE } },
      (res) => {
        const reads: Reads["reads"] = [];
        res.on("data", (bytes: Buffer) => reads.push({ ms: performance.now() - sent, bytes }));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, reads }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

test("a call through the gateway to an upstream is recorded read by read, with no secret in the file; replayed, the client gets the same reads at the same times", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lab-recording-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const upstream = await startUpstream();
  // The first call in a process loads code on the way (fetch, the gateway's stages): tens of
  // ms that are the lab's, not the upstream's, and that a recording of the upstream cannot hold.
  const warm = await startLocalLab({ upstream: { kind: "azure", url: upstream.url, apiKey: UPSTREAM_KEY } });
  await call(warm).finally(() => warm.close());
  const recording = await startLocalLab({ upstream: { kind: "azure", url: upstream.url, apiKey: UPSTREAM_KEY }, record: dir });
  let live: Reads;
  let secrets: string[];
  try {
    live = await call(recording);
    secrets = [...recording.issuedSecrets(), UPSTREAM_KEY, CALLER_TOKEN, QUERY_SIG, COOKIE, SET_COOKIE, "cookie-value-77aa88bb"];
  } finally {
    await recording.close();
    await upstream.close();
  }
  assert.equal(live.status, 200);
  assert.equal(Buffer.concat(live.reads.map((r) => r.bytes)).toString("utf8"), whole);
  assert.equal(upstream.seen[1].headers["api-key"], UPSTREAM_KEY, "the upstream got its key: the recording had one to leave out");

  // The file: one per call, every read with its bytes, nothing secret.
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  assert.match(files[0], /^\d{4}-\d\d-\d\dT.*-0001-gpt-4o\.jsonl$/);
  const raw = readFileSync(join(dir, files[0]));
  for (const secret of secrets) assert.equal(raw.includes(secret), false, `the recording holds a secret: ${secret.slice(0, 12)}…`);
  const lines = raw.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type), ["recording", "request", "response", "read", "read", "read", "read", "end"]);
  const saved = parseRecording(raw.toString("utf8"), files[0]);
  assert.deepEqual(saved.reads.map((r) => r.bytes.toString("hex")), PIECES.map(([, b]) => b.toString("hex")));
  assert.equal(typeof lines[5].base64, "string", "a read that ends inside a character is kept as base64");
  assert.equal(typeof lines[3].text, "string");
  // Timed from when the request was sent: never before the upstream sent the piece.
  for (const [i, [ms]] of PIECES.entries()) assert.ok(saved.reads[i].ms >= ms && saved.reads[i].ms < ms + 1000, `read ${i} at ${saved.reads[i].ms} ms, sent at ${ms}`);
  assert.equal(saved.end.how, "complete");
  assert.equal(saved.response.status, 200);
  assert.equal(saved.response.headers["x-ratelimit-remaining-tokens"], "9990", "a header that counts tokens is no secret");
  assert.equal(saved.response.headers["x-echo"], "key was [removed]");
  assert.deepEqual(saved.removed.requestHeaders.sort(), ["api-key", "cookie", "x-caller-token"]);
  assert.deepEqual(saved.removed.query, ["sig"]);
  assert.deepEqual(saved.removed.responseHeaders, ["set-cookie"]);
  assert.deepEqual(saved.removed.values, ["response header x-echo"]);
  assert.match(saved.request.url, /^\/openai\/deployments\/gpt-4o\/chat\/completions\?api-version=2024-10-21$/);
  assert.deepEqual(JSON.parse(saved.request.body), BODY);

  // Replay: the same reads, the same bytes, arrival times within 10%, through the gateway's policy.
  const replay = await startLocalLab({ replay: dir });
  try {
    const again = await call(replay);
    assert.equal(again.status, 200);
    assert.equal(again.headers["x-lab-backend"], "replay");
    assert.equal(again.headers["x-ms-stream"], "True", "the gateway's policy ran");
    assert.equal(again.headers["x-ms-region"], "East US");
    assert.deepEqual(again.reads.map((r) => r.bytes.toString("hex")), live.reads.map((r) => r.bytes.toString("hex")));
    for (const [i, read] of again.reads.entries()) {
      const was = live.reads[i].ms;
      assert.ok(Math.abs(read.ms - was) <= 0.1 * was, `read ${i}: ${read.ms.toFixed(1)} ms on replay, ${was.toFixed(1)} ms live`);
    }
    for (const secret of replay.issuedSecrets()) assert.equal(JSON.stringify(again.headers).includes(secret), false);
  } finally {
    await replay.close();
  }
});

test("a request no recording matches gets a 404 in Azure's error shape that names the recording folder; other messages, another deployment or stream off do not match", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lab-recording-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const upstream = await startUpstream();
  const recording = await startLocalLab({ upstream: { kind: "azure", url: upstream.url, apiKey: UPSTREAM_KEY }, record: dir });
  try {
    await call(recording);
  } finally {
    await recording.close();
    await upstream.close();
  }
  const replay = await startLocalLab({ replay: dir, replaySpeed: 4 });
  try {
    // Key order and whitespace do not count: the messages are compared as normalized JSON.
    const reordered = await call(replay, { stream: true, messages: [{ content: "Say hello in French.", role: "user" }] });
    assert.equal(reordered.status, 200);
    // Four times as fast: the last read comes at a quarter of its recorded time (never
    // before it), well before half of it even on a loaded machine.
    const recorded = parseRecording(readFileSync(join(dir, readdirSync(dir)[0]), "utf8"), "r").reads.at(-1)!.ms;
    const last = reordered.reads[reordered.reads.length - 1].ms;
    assert.ok(last >= recorded / 4 - 1 && last < recorded / 2, `last read at ${last.toFixed(1)} ms at speed 4, ${recorded} ms as recorded`);
    for (const body of [
      { messages: [{ role: "user", content: "Say hello in German." }], stream: true },
      { messages: BODY.messages, stream: false },
    ]) {
      const missed = await call(replay, body);
      assert.equal(missed.status, 404);
      const answer = JSON.parse(Buffer.concat(missed.reads.map((r) => r.bytes)).toString("utf8"));
      assert.deepEqual(Object.keys(answer), ["error"]);
      assert.equal(answer.error.code, "RecordingNotFound");
      assert.ok(answer.error.message.includes(dir), answer.error.message);
      assert.match(answer.error.message, /deployment 'gpt-4o', operation 'chat\/completions'/);
      assert.match(answer.error.message, /--record/);
    }
  } finally {
    await replay.close();
  }
});

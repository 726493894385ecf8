import assert from "node:assert/strict";
import { request } from "node:http";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { startBackend, type BackendServer } from "../lib/local-lab/backend";
import { chatUrl, COUNT_PROMPT, post, sleep } from "./fixtures/backend-helpers";

let backend: BackendServer;
before(async () => {
  // Slow enough that counting to 100 would take several seconds.
  backend = await startBackend({ timing: { firstTokenMs: 20, tokenMs: 25, jitter: 0 } });
});
after(() => backend.close());

const slowCount = { messages: [{ role: "user", content: COUNT_PROMPT }], stream: true };

/** Polls until no generation is left; returns how long that took, or Infinity. */
async function msUntilIdle(limitMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (backend.activeStreams() === 0) return performance.now() - start;
    await sleep(1);
  }
  return Infinity;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

test("a fetch aborted mid-stream stops generation within 100 ms", async () => {
  const timersBefore = timers();
  const abort = new AbortController();
  const res = await post(backend, slowCount, { signal: abort.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let seen = "";
  while (!seen.includes('"content":"1"')) seen += new TextDecoder().decode((await reader.read()).value);
  assert.equal(backend.activeStreams(), 1);
  abort.abort();
  const ms = await msUntilIdle(500);
  console.log(`# fetch abort -> generation stopped in ${ms.toFixed(1)} ms`);
  assert.ok(ms <= 100, `stopped after ${ms} ms`);
  assert.ok(timers() <= timersBefore, "no generation timer left behind");
});

test("a raw socket closed mid-stream stops generation within 100 ms", async () => {
  const url = new URL(chatUrl(backend));
  const ms = await new Promise<number>((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "api-key": backend.apiKey, "content-type": "application/json" } }, (res) => {
      res.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes('"content"') && backend.activeStreams() === 1) {
          req.destroy();
          msUntilIdle(500).then(resolve, reject);
        }
      });
    });
    req.on("error", () => {});
    req.end(JSON.stringify(slowCount));
  });
  console.log(`# socket close -> generation stopped in ${ms.toFixed(1)} ms`);
  assert.ok(ms <= 100, `stopped after ${ms} ms`);
});

test("a non-streamed request abandoned while waiting stops too", async () => {
  const abort = new AbortController();
  const pending = post(backend, { messages: [{ role: "user", content: COUNT_PROMPT }] }, { signal: abort.signal }).catch((e: Error) => e);
  while (backend.activeStreams() === 0) await sleep(1);
  abort.abort();
  assert.equal((await pending as Error).name, "AbortError");
  assert.ok((await msUntilIdle(500)) <= 100);
});

test("close() ends running streams, clears their timers and resolves", async () => {
  const timersBefore = timers();
  const other = await startBackend({ timing: { firstTokenMs: 10, tokenMs: 50 } });
  const res = await post(other, slowCount);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  assert.equal(other.activeStreams(), 1);
  await other.close();
  assert.equal(other.activeStreams(), 0);
  assert.ok(timers() <= timersBefore, `${timers() - timersBefore} timers left behind`);
  await assert.rejects(async () => {
    for (;;) if ((await reader.read()).done) throw new Error("ended cleanly, expected a cut stream");
  });
});

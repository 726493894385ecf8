/**
 * Aborted streams leave nothing behind: 100 streams cut at random points through the
 * gateway, then no generation at the backend and no handle or timer more than before.
 * (The 1,000-stream figures, with heap, come from `npm run leak-check`.)
 */
import assert from "node:assert/strict";
import test from "node:test";
import { abortStreams, activeResources, grown, settle } from "../tools/leak-check";
import { startLocalLab } from "../lib/local-lab/index";

test("100 streams aborted at random points: activeStreams 0, no handles or timers left", { timeout: 60_000 }, async () => {
  const lab = await startLocalLab();
  try {
    await abortStreams(lab, 3, { concurrency: 1, seed: 1, maxChunks: 100_000 });
    await settle(() => lab.activeBackendStreams() === 0);
    const before = activeResources();
    const run = await abortStreams(lab, 100, { concurrency: 10, seed: 3 });
    assert.equal(run.beforeHeaders + run.midStream + run.finished, 100);
    assert.ok(run.midStream > 50, `only ${run.midStream} aborted mid-stream`);
    await settle(() => lab.activeBackendStreams() === 0 && Object.keys(grown(before, activeResources())).length === 0);
    assert.equal(lab.activeBackendStreams(), 0);
    assert.deepEqual(grown(before, activeResources()), {});
  } finally {
    await lab.close();
  }
});

test("50 streams the backend cuts (drop-after) leave nothing behind either", { timeout: 60_000 }, async () => {
  const lab = await startLocalLab({ fault: "drop-after=8", timing: { firstTokenMs: 1, tokenMs: 1, jitter: 0 } });
  try {
    const before = activeResources();
    const url = `${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`;
    let cut = 0;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "api-key": lab.subscriptionKey, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "Count to 20." }], stream: true }),
      });
      try {
        await res.text();
      } catch {
        cut++;
      }
    }
    assert.equal(cut, 50);
    await settle(() => lab.activeBackendStreams() === 0 && Object.keys(grown(before, activeResources())).length === 0);
    assert.equal(lab.activeBackendStreams(), 0);
    assert.deepEqual(grown(before, activeResources()), {});
  } finally {
    await lab.close();
  }
});

/**
 * Issue 13's "Done when", over raw HTTP through the gateway with the lab's default timing:
 * the headers come with the first events, not before (recorded: 406–803 ms after the
 * request, in the same network read as the prompt-filter and role chunks); the default
 * filter's content comes in bursts of one-token events, ~2 s apart; the asynchronous
 * filter's comes token by token. Arrival time = the network read that completed the event.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { DEFAULT_TIMING } from "../lib/local-lab/backend/timing";
import { COUNT_PROMPT } from "./fixtures/backend-helpers";

let lab: LocalLab;
before(async () => {
  lab = await startLocalLab();
});
after(() => lab.close());

interface Timed {
  headersMs: number;
  events: { ms: number; data: string }[];
}

function stream(filter: string): Promise<Timed> {
  const url = `${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`;
  const body = JSON.stringify({ messages: [{ role: "user", content: COUNT_PROMPT }], stream: true });
  return new Promise((resolve, reject) => {
    const sent = performance.now();
    const req = request(url, { method: "POST", headers: { "api-key": lab.subscriptionKey, "content-type": "application/json", "x-lab-content-filter": filter } }, (res) => {
      const headersMs = performance.now() - sent;
      const events: Timed["events"] = [];
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        const ms = performance.now() - sent;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          events.push({ ms, data: buffer.slice("data: ".length, end) });
          buffer = buffer.slice(end + 2);
        }
      });
      res.on("end", () => resolve({ headersMs, events }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function contentGaps(t: Timed): number[] {
  const times = t.events.filter((e) => e.data !== "[DONE]" && JSON.parse(e.data).choices[0]?.delta?.content).map((e) => e.ms);
  return times.slice(1).map((ms, i) => ms - times[i]);
}

test("default filter through the gateway: headers with the first event, >= 300 ms; content in bursts ~2 s apart", async () => {
  const t = await stream("default");
  const first = t.events[0].ms;
  assert.ok(t.headersMs >= 300, `headers after ${t.headersMs.toFixed(0)} ms`);
  assert.ok(t.headersMs >= 0.9 * first, `headers after ${t.headersMs.toFixed(0)} ms, first event after ${first.toFixed(0)} ms`);
  const gaps = contentGaps(t);
  const close = gaps.filter((g) => g < 3).length / gaps.length;
  assert.ok(close >= 0.7, `${(close * 100).toFixed(0)}% of ${gaps.length} gaps under 3 ms`);
  // The silences between bursts, as modelled: burstMs with the timing's jitter (the last
  // burst may come sooner, when generation ends); at least two for ~200 tokens at 20 ms.
  const silences = gaps.filter((g) => g >= 100);
  const { burstMs, jitter } = DEFAULT_TIMING;
  assert.ok(silences.length >= 1, `silences ${silences.map((g) => g.toFixed(0))}`);
  for (const g of silences) assert.ok(g <= burstMs * (1 + jitter) + 100, `a silence of ${g.toFixed(0)} ms`);
  assert.ok(silences.slice(0, -1).every((g) => g >= burstMs * (1 - jitter) - 100), `silences ${silences.map((g) => g.toFixed(0))}`);
  console.log(`# default: headers ${t.headersMs.toFixed(0)} ms, first event ${first.toFixed(0)} ms, ${(close * 100).toFixed(0)}% of gaps < 3 ms, silences ${silences.map((g) => g.toFixed(0)).join(", ")} ms`);
});

test("asynchronous filter through the gateway: content token by token, under 10% of gaps below 3 ms", async () => {
  const t = await stream("asynchronous");
  assert.ok(t.headersMs >= 0.9 * t.events[0].ms, `headers after ${t.headersMs.toFixed(0)} ms, first event after ${t.events[0].ms.toFixed(0)} ms`);
  const gaps = contentGaps(t);
  const close = gaps.filter((g) => g < 3).length / gaps.length;
  assert.ok(close < 0.1, `${(close * 100).toFixed(0)}% of ${gaps.length} gaps under 3 ms`);
  console.log(`# asynchronous: headers ${t.headersMs.toFixed(0)} ms, ${(close * 100).toFixed(0)}% of gaps < 3 ms`);
});

import assert from "node:assert/strict";
import test from "node:test";
import { timedLines } from "../lib/stream/lines";

async function* pieces(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

async function collect(parts: Uint8Array[]): Promise<string[]> {
  const out: string[] = [];
  for await (const { line } of timedLines(pieces(parts), 0)) out.push(line);
  return out;
}

const body = 'data: {"content":"héllo 👋"}\r\n\r\ndata: {"content":"x"}\n\ndata: [DONE]\r\r';
const expected = ['data: {"content":"héllo 👋"}', "", 'data: {"content":"x"}', "", "data: [DONE]", ""];

test("the same lines whatever byte the body is split at", async () => {
  const bytes = new TextEncoder().encode(body);
  assert.deepEqual(await collect([bytes]), expected);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(await collect([bytes.slice(0, cut), bytes.slice(cut)]), expected, `split at byte ${cut}`);
  }
});

test("one byte at a time", async () => {
  const bytes = new TextEncoder().encode(body);
  assert.deepEqual(await collect([...bytes].map((b) => Uint8Array.of(b))), expected);
});

test("each line carries the arrival time of the piece that completed it", async () => {
  let clock = 0;
  const times: number[] = [];
  async function* timed(): AsyncGenerator<Uint8Array> {
    clock = 10;
    yield new TextEncoder().encode("a\nb");
    clock = 25;
    yield new TextEncoder().encode("c\n");
    clock = 40;
  }
  const lines: string[] = [];
  for await (const { ms, line } of timedLines(timed(), 5, () => clock)) {
    times.push(ms);
    lines.push(line);
  }
  assert.deepEqual(lines, ["a", "bc"]);
  assert.deepEqual(times, [5, 20]);
});

test("a last line without a newline is still read", async () => {
  assert.deepEqual(await collect([new TextEncoder().encode("x\ny")]), ["x", "y"]);
});

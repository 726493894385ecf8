/**
 * Times one streamed call made with the `openai` SDK and records when each chunk
 * arrived: the buffering step makes the same call twice and compares the records.
 */
import type { StreamRecord } from "./record";
import { StreamRecorder, type ChunkLike } from "./recorder";

/** What `client.chat.completions.create({ stream: true, ... }).withResponse()` resolves to. */
export interface StreamWithResponse {
  data: AsyncIterable<ChunkLike>;
  response: { headers: { get(name: string): string | null } };
}

export async function recordChatStream(label: string, call: () => PromiseLike<StreamWithResponse>): Promise<StreamRecord> {
  const start = performance.now();
  const { data } = await call();
  const recorder = new StreamRecorder(label, performance.now() - start);
  for await (const chunk of data) recorder.chunk(chunk, performance.now() - start);
  return recorder.finish(performance.now() - start, true);
}

/**
 * Collects a `StreamRecord` while a notebook cell prints a stream: from raw
 * event-stream lines (the HTTP step) or from the SDK's parsed chunks (the SDK step).
 */
import type { StreamEvent, StreamRecord, TokenUsage } from "./record";

/** The parts of a chat completion chunk this lab reads (the SDK's type fits it). */
export interface ChunkLike {
  choices?: { delta?: { content?: string | null } | null }[] | null;
  usage?: TokenUsage | null;
}

export class StreamRecorder {
  private readonly events: StreamEvent[] = [];
  private usage: TokenUsage | undefined;
  private done = false;

  constructor(private readonly label: string, private readonly headersMs: number) {}

  /** Takes one line of an event stream; only `data:` lines make events. */
  line(line: string, ms: number): void {
    if (!line.startsWith("data:")) return;
    const data = line.slice(line.startsWith("data: ") ? 6 : 5);
    if (data === "[DONE]") {
      this.done = true;
      this.events.push({ ms, data });
      return;
    }
    let chunk: ChunkLike | undefined;
    try {
      chunk = JSON.parse(data) as ChunkLike;
    } catch {
      chunk = undefined; // kept as an event without content: the record shows what came
    }
    this.add(ms, data, chunk);
  }

  /** Takes one chunk parsed by the SDK. The SDK swallows `[DONE]`, so a finished loop means done. */
  chunk(chunk: ChunkLike, ms: number): void {
    this.add(ms, JSON.stringify(chunk), chunk);
  }

  /** Closes the record. `done` is for SDK streams that ended normally. */
  finish(endMs: number, done?: boolean): StreamRecord {
    return {
      label: this.label,
      headersMs: this.headersMs,
      events: this.events.slice(),
      endMs,
      done: done ?? this.done,
      usage: this.usage,
    };
  }

  private add(ms: number, data: string, chunk: ChunkLike | undefined): void {
    const content = chunk?.choices?.[0]?.delta?.content;
    if (chunk?.usage) this.usage = chunk.usage;
    this.events.push(content ? { ms, data, content } : { ms, data });
  }
}

/** The text a stream carried, joined. */
export function replyText(record: StreamRecord): string {
  return record.events.map((e) => e.content ?? "").join("");
}

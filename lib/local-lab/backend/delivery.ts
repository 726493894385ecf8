/**
 * Writes planned events to the client, each with its own `res.write` the moment it is
 * due. One timer at a time, aimed at absolute times so delays do not drift; a client
 * that goes away stops everything at once.
 */
import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { cutConnection } from "../http";

export interface TimedWrite {
  /** ms after `startedAt`. */
  atMs: number;
  /** The bytes, or what renders them: called once, when the write is due. */
  data: string | (() => string);
  /** Cut the connection here, without ending the response (an injected fault). */
  cut?: boolean;
}

export interface Generation {
  /** Stops writing and clears the timer; the response is left as it is. */
  stop(): void;
}

export function deliver(res: ServerResponse, writes: TimedWrite[], startedAt: number, onEnd: () => void): Generation {
  let next = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    res.off("drain", pump);
    onEnd();
  };

  function pump(): void {
    timer = undefined;
    if (finished) return;
    const elapsed = performance.now() - startedAt;
    while (next < writes.length && writes[next].atMs <= elapsed) {
      if (writes[next].cut) return cut();
      // Backpressure: a slow reader pauses the timeline; overdue events follow on drain.
      const data = writes[next++].data;
      if (!res.write(typeof data === "string" ? data : data())) {
        res.once("drain", pump);
        return;
      }
    }
    if (next === writes.length) {
      res.end();
      finish();
      return;
    }
    timer = setTimeout(pump, writes[next].atMs - elapsed);
  }

  /** A dropped connection, after what was written (see cutConnection). */
  function cut(): void {
    finish();
    cutConnection(res);
  }

  // For a POST whose body was read, `close` without `writableEnded` is the only sign of
  // a client that left (the request's `aborted` event no longer fires).
  res.on("close", () => {
    if (!res.writableEnded) finish();
  });
  if (res.destroyed) finish();
  else pump();
  return { stop: finish };
}

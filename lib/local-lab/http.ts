/**
 * HTTP plumbing shared by the local lab's three servers.
 */
import type { ServerResponse } from "node:http";

/**
 * Cuts a response mid-body, as a dropped connection does: every byte written so far
 * leaves first, then FIN, never the chunked terminator (so the caller sees a cut, not
 * an end). A reset instead of FIN could make the caller lose bytes already sent.
 *
 * Node holds a response's writes back until the end of the current tick (its own cork;
 * the gateway corks for a whole turn), and Node 24.22 keeps them in the response, not
 * the socket: ending the socket in the same tick sent the headers but none of the
 * events (measured: 0 of 5 on 24.22.3, 5 of 5 on 20.20 and 24.21). So the response is
 * uncorked first, which hands its writes to the socket, and the socket ends after them.
 */
export function cutConnection(res: ServerResponse): void {
  while (res.writableCorked > 0) res.uncork();
  const socket = res.socket;
  if (socket && !socket.destroyed) socket.destroySoon();
  else res.destroy();
}

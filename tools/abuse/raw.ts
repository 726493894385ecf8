/**
 * Raw HTTP over a socket, for requests an HTTP client refuses to send (bad targets,
 * odd header bytes): what came back, if anything, before the server closed or a deadline.
 */
import { connect } from "node:net";

export interface RawAnswer {
  /** The status line's code, or 0 when nothing came back. */
  status: number;
  /** Everything received, as latin1 text. */
  text: string;
  /** The server closed the connection (rather than the deadline ending the wait). */
  closed: boolean;
}

/** Sends `bytes` to `url`'s host and port, reads until the server closes or `waitMs` passes. */
export function sendRaw(url: string, bytes: string | Buffer, waitMs = 2_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(parts).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text, closed });
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (chunk: Buffer) => parts.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      done();
    });
    socket.write(bytes);
  });
}

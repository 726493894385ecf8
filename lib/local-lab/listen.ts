/** Starting and stopping the local lab's servers, the same way for all three. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A burst of connects (a thousand callers, or a gateway opening hundreds of backend
 * connections at once) overflows Node's default backlog of 511, and the kernel then
 * resets or drops SYNs. net.core.somaxconn caps the figure (4096 on the lab's machine).
 */
const LISTEN_BACKLOG = 4096;

export interface Listening {
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  url: string;
  /** Stops listening and ends open connections at once: open streams would keep close() waiting. */
  close(): Promise<void>;
}

export function listen(server: Server, host = "127.0.0.1", port = 0): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shown}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

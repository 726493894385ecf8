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

export type LabServer = "backend" | "gateway" | "management";

/** Node's words for why a port cannot be had, in the lab's. */
const REASONS: Record<string, string> = {
  EADDRINUSE: "the port is in use",
  EACCES: "the port needs privileges (ports below 1024)",
};

const LABELS: Record<LabServer, string> = { backend: "backend", gateway: "gateway", management: "management API" };

/** One of the lab's servers could not listen: which one, and the option that sets its port. */
export class ListenError extends Error {
  /** The server in words, e.g. "management API". */
  readonly label: string;

  constructor(
    readonly server: LabServer,
    readonly option: `${LabServer}Port`,
    /** host:port */
    readonly address: string,
    /** Why, e.g. "the port is in use (EADDRINUSE)". */
    readonly reason: string,
  ) {
    super(`the local lab's ${LABELS[server]} could not listen on ${address}: ${reason}: choose another ${option}, or 0 for a free one`);
    this.name = "ListenError";
    this.label = LABELS[server];
  }
}

/** Awaits a server's start; a port it cannot have becomes a ListenError naming the server. */
export async function starting<T>(server: LabServer, start: Promise<T>): Promise<T> {
  try {
    return await start;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
    const reason = e.code === undefined ? undefined : REASONS[e.code];
    if (reason === undefined || e.syscall !== "listen") throw error;
    throw new ListenError(server, `${server}Port`, `${e.address}:${e.port}`, `${reason} (${e.code})`);
  }
}

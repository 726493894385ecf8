/**
 * The parent's side of the abuse check's lab: forks ./lab-child.ts, asks it for its usage,
 * and notices if it died (which is what the check is there to catch).
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { LocalLab } from "../../lib/local-lab/index";

/** What a client needs of a lab: its addresses and the secrets to call it. */
export type LabAddress = Pick<LocalLab, "gatewayUrl" | "backendUrl" | "managementUrl" | "subscriptionKey" | "managementToken" | "apimServiceId" | "apiId">;

export interface LabProcessUsage {
  /** After a forced GC. */
  rssBytes: number;
  heapUsedBytes: number;
  /** User and system CPU since the process started. */
  cpuMs: number;
  activeBackendStreams: number;
}

export interface LabProcess {
  lab: LabAddress;
  usage(): Promise<LabProcessUsage>;
  /** How the process ended, if it did (a crash is a finding). */
  exited(): string | undefined;
  stop(): Promise<void>;
}

export function startLabProcess(): Promise<LabProcess> {
  const child: ChildProcess = fork(join(__dirname, "lab-child.ts"), [], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let ended: string | undefined;
  child.once("exit", (code, signal) => (ended = signal ? `killed by ${signal}` : `exited with code ${code}`));
  const next = <T>(type: string) =>
    new Promise<T>((done, fail) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        done(m as T);
      };
      const onExit = () => fail(new Error(`the lab ${ended ?? "exited"} while the check waited for '${type}'`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  return next<{ lab: LabAddress }>("ready").then(({ lab }) => ({
    lab,
    usage: () => {
      const reply = next<LabProcessUsage>("usage");
      child.send({ type: "usage" });
      return reply;
    },
    exited: () => ended,
    stop: () =>
      new Promise<void>((done) => {
        if (ended) return done();
        child.once("exit", () => done());
        child.send({ type: "exit" });
      }),
  }));
}

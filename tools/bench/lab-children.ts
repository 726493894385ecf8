/**
 * The parent's side of the lab's processes: the backend, the gateway and a bare Node proxy,
 * each forked as lab-process.ts and driven over IPC (begin, end → usage, exit).
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { LabUsage } from "./lab-process";

export interface LabChild {
  url: string;
  key: string;
  begin(): Promise<void>;
  end(): Promise<LabUsage>;
  stop(): Promise<void>;
}

export interface Lab {
  backend: LabChild;
  gateway: LabChild;
  /** A bare Node pass-through proxy: the floor any Node hop costs here. */
  bareProxy: LabChild;
}

function startLabChild(args: string[], profileDir: string | undefined): Promise<LabChild> {
  const execArgv = ["--import", "tsx", "--expose-gc"];
  const env = profileDir ? { ...process.env, BENCH_PROFILE_DIR: profileDir } : process.env;
  const child: ChildProcess = fork(join(__dirname, "lab-process.ts"), args, { execArgv, env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = (type: string) =>
    new Promise<any>((done, fail) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        done(m);
      };
      const onExit = (code: number | null) => fail(new Error(`bench ${args[0]} exited (${code}) while waiting for '${type}'`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ask = (type: string, answer: string) => {
    const reply = next(answer);
    child.send({ type });
    return reply;
  };
  return next("ready").then((info: { url: string; key: string }) => ({
    url: info.url,
    key: info.key,
    begin: () => ask("begin", "begun").then(() => undefined),
    end: () => ask("end", "usage"),
    stop: () =>
      new Promise<void>((done) => {
        child.once("exit", () => done());
        child.send({ type: "exit" });
      }),
  }));
}

/** The three processes; `profileDir` gives the backend and the gateway a CPU profile per measured span. */
export async function startLab(profileDir: string | undefined): Promise<Lab & { stop(): Promise<void> }> {
  const backend = await startLabChild(["backend"], profileDir);
  const gateway = await startLabChild(["gateway", backend.url, backend.key], profileDir);
  const bareProxy = await startLabChild(["bare-proxy", backend.url, backend.key], undefined);
  return { backend, gateway, bareProxy, stop: () => Promise.all([gateway.stop(), bareProxy.stop(), backend.stop()]).then(() => undefined) };
}

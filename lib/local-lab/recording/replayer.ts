/**
 * The backend on a replay: answers each request with a recording (./library) instead of
 * a model, sending the recorded bytes in the recorded reads at the recorded times (÷ speed),
 * so the gateway in front of it does everything it does for a live call. Checks the key
 * and reads the body within limits as the simulator does; a request nothing was recorded
 * for gets a 404 in Azure's error shape that names the folder.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createGuardedServer } from "../guard";
import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import { azureError, errorBody, isAzureErrorAnswer, tooLarge, unauthorized, type AzureErrorAnswer } from "../backend/errors";
import { faultError, parseFault, type Fault } from "../backend/faults";
import type { BackendServer } from "../backend/types";
import { cutConnection, HOP_BY_HOP, readBody, sendJson } from "../http";
import { listen } from "../listen";
import { apiKeyCheck } from "../backend/auth";
import type { Recording } from "./format";
import { dropAfter, requestFault } from "./faults";
import { openLibrary } from "./library";
import { requestKey, type RequestKey } from "./matcher";

export interface ReplayOptions {
  /** The folder of recordings. */
  dir: string;
  /** 2 plays twice as fast, 0.5 half as fast; default 1, the recorded timing. */
  speed?: number;
  host?: string;
  port?: number;
  apiKey?: string;
  /** Default 1 MiB, as the simulator. */
  maxBodyBytes?: number;
  /** Faults for every request, as the simulator's `fault`; only 429, 500, 503 and drop-after (./faults). */
  fault?: string;
}

/** Not replayed: the body is sent again in chunks, decoded, and ends when the recording does. */
const NOT_REPLAYED = new Set(["content-length", "content-encoding", "date"]);

export async function startReplayBackend(options: ReplayOptions): Promise<BackendServer> {
  const speed = options.speed ?? 1;
  if (!(speed > 0 && Number.isFinite(speed))) throw new Error(`replay speed must be a number above 0, got ${speed}`);
  const library = openLibrary(options.dir);
  const apiKey = options.apiKey ?? randomBytes(24).toString("hex");
  const authorized = apiKeyCheck(apiKey);
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const plays = new Set<() => void>();
  let labFault: Fault = {};
  try {
    labFault = parseFault(options.fault ?? "");
  } catch (err) {
    throw new Error(`fault: ${(err as Error).message}`);
  }

  // A malformed request or a bug in a handler is answered in Azure's shape, as the simulator's (../guard).
  const server = createGuardedServer("backend", { body: azureError }, { headersTimeout: 20_000, requestTimeout: 60_000 }, handle);

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== "POST") return send(res, { status: 405, code: "405", message: "Method not allowed; use POST.", headers: { allow: "POST" } });
    if (!authorized(req)) return send(res, unauthorized());
    const read = await readBody(req, res, { maxBytes: maxBody, drain: true });
    if (read.ok === false) {
      if (read.reason === "gone") return;
      return send(res, tooLarge(maxBody));
    }
    const receivedAt = performance.now();
    const fault = requestFault(req.headers, labFault);
    if (isAzureErrorAnswer(fault)) return send(res, fault);
    const apiVersion = url.searchParams.get("api-version") ?? "";
    const injected = faultError(fault, apiVersion);
    if (injected) return send(res, injected, { "x-lab-fault-injected": String(fault.status) });
    const key = requestKey(url.pathname + url.search, read.body.toString("utf8"));
    const found = library.next(key);
    if (!found) return send(res, notRecorded(key, library.dir, library.size));
    let recording = await found.recording;
    if (res.destroyed) return;
    const extra: Record<string, string> = {};
    if (fault.stream) {
      recording = dropAfter(recording, fault.stream.after);
      extra["x-lab-fault-injected"] = `drop-after=${fault.stream.after}`;
    }
    play(res, recording, { ...extra, "x-lab-recording": basename(found.file) }, receivedAt);
  }

  /** Each step at its recorded time from when the request came in; a caller that leaves stops it. */
  function play(res: ServerResponse, recording: Recording, labHeaders: Record<string, string>, origin: number): void {
    const steps: { ms: number; run: () => void }[] = [
      { ms: recording.response.ms, run: () => sendHead(res, recording, labHeaders) },
      ...recording.reads.map((r) => ({ ms: r.ms, run: () => void res.write(r.bytes) })),
      { ms: recording.end.ms, run: () => (recording.end.how === "complete" ? res.end() : cutConnection(res)) },
    ];
    let timer: NodeJS.Timeout | undefined;
    let i = 0;
    const stop = () => {
      clearTimeout(timer);
      plays.delete(stop);
    };
    const step = () => {
      // Every step already due goes now, in this turn, as the recorded reads went together.
      while (i < steps.length && origin + steps[i].ms / speed <= performance.now() + 0.5) {
        if (res.destroyed) return stop();
        steps[i++].run();
      }
      if (i >= steps.length) return stop();
      timer = setTimeout(step, origin + steps[i].ms / speed - performance.now());
    };
    plays.add(stop);
    res.on("close", stop);
    step();
  }

  function sendHead(res: ServerResponse, recording: Recording, labHeaders: Record<string, string>): void {
    const headers: Record<string, string> = {};
    for (const [n, v] of Object.entries(recording.response.headers)) if (!HOP_BY_HOP.has(n) && !NOT_REPLAYED.has(n)) headers[n] = v;
    Object.assign(headers, labHeaders, { "x-lab-backend": "replay" });
    res.writeHead(recording.response.status, headers);
    res.flushHeaders();
  }

  const listening = await listen(server, options.host, options.port);
  return {
    url: listening.url,
    apiKey,
    activeStreams: () => plays.size,
    close: () => {
      for (const stop of [...plays]) stop();
      return listening.close();
    },
  };
}

/** Azure's error shape; the message says which request found nothing, where, and how to record it. */
export function notRecorded(key: RequestKey, dir: string, size: { recordings: number; requests: number }): AzureErrorAnswer {
  const messages = key.messages.length > 120 ? `${key.messages.slice(0, 117)}...` : key.messages;
  return {
    status: 404,
    code: "RecordingNotFound",
    message:
      `No recording in ${dir} matches this request (deployment '${key.deployment}', operation '${key.operation}', stream ${key.stream}, messages ${messages}); ` +
      `the folder holds ${size.recordings} recordings of ${size.requests} requests. Record this one with npm run lab -- --upstream URL --record ${dir}`,
  };
}

function send(res: ServerResponse, err: AzureErrorAnswer, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, errorBody(err), { ...headers, ...err.headers, "x-lab-backend": "replay", "content-type": "application/json" });
}

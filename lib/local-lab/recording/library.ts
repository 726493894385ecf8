/**
 * A folder of recordings, read once when the replay starts: every file is checked then
 * (a bad one stops the start, naming its line), and indexed by its request (./matcher).
 * Only the index stays in memory; a recording's bytes are read again when it plays.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { MAX_RECORDING_BYTES, parseRecording, RECORDING_EXTENSION, RecordingError, type Recording } from "./format";
import { keyText, requestKey, type RequestKey } from "./matcher";

export interface RecordingLibrary {
  dir: string;
  /** How many recordings, for how many distinct requests. */
  size: { recordings: number; requests: number };
  /** The next recording for this request (in recorded order, round and round), or undefined. */
  next(key: RequestKey): { file: string; recording: Promise<Recording> } | undefined;
}

export function openLibrary(folder: string): RecordingLibrary {
  const dir = resolve(folder);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(RECORDING_EXTENSION)).sort();
  } catch (e) {
    throw new RecordingError(`cannot read the recording folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (names.length === 0) throw new RecordingError(`no recordings (*${RECORDING_EXTENSION}) in ${dir}: make some with npm run lab -- --upstream URL --record ${folder}`);
  const byKey = new Map<string, string[]>();
  for (const name of names) {
    const file = join(dir, name);
    const size = statSync(file).size;
    if (size > MAX_RECORDING_BYTES) throw new RecordingError(`${file} is ${size} bytes, more than a recording may hold (${MAX_RECORDING_BYTES})`);
    const recording = parseRecording(readFileSync(file, "utf8"), file);
    const key = keyText(requestKey(recording.request.url, recording.request.body));
    const files = byKey.get(key);
    if (files) files.push(file);
    else byKey.set(key, [file]);
  }
  const played = new Map<string, number>();
  return {
    dir,
    size: { recordings: names.length, requests: byKey.size },
    next(key) {
      const text = keyText(key);
      const files = byKey.get(text);
      if (!files) return undefined;
      const n = played.get(text) ?? 0;
      played.set(text, n + 1);
      const file = files[n % files.length];
      return { file, recording: readFile(file, "utf8").then((t) => parseRecording(t, file)) };
    },
  };
}

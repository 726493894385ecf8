/**
 * The user-editable reply script: a JSON array of `{ "pattern", "reply", "flags"? }`,
 * tried in order against the last user message. The file is re-read when it changes,
 * so a workshop attendee can edit it while the lab runs.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { ReplyRule } from "./replies";

/** The environment variable naming a reply script when no path is passed in. */
export const REPLY_SCRIPT_ENV = "LAB_REPLY_SCRIPT";

/** Pure: JSON text to rules, or an Error naming the first bad entry. */
export function parseReplyScript(text: string, origin = "reply script"): ReplyRule[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${origin}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error(`${origin}: expected a JSON array of { "pattern", "reply" } objects`);
  return data.map((entry: unknown, i: number) => {
    const e = entry as { pattern?: unknown; reply?: unknown; flags?: unknown };
    if (typeof e !== "object" || e === null || typeof e.pattern !== "string" || typeof e.reply !== "string") {
      throw new Error(`${origin}: entry ${i} needs a string "pattern" and a string "reply"`);
    }
    const flags = e.flags === undefined ? "i" : e.flags;
    if (typeof flags !== "string") throw new Error(`${origin}: entry ${i}: "flags" must be a string such as "i"`);
    try {
      return { pattern: new RegExp(e.pattern, flags.replace(/[gy]/g, "")), reply: e.reply };
    } catch (err) {
      throw new Error(`${origin}: entry ${i}: bad pattern (${(err as Error).message})`);
    }
  });
}

export interface ReplyScript {
  /** The current rules; throws if the file was edited into something invalid. */
  rules(): ReplyRule[];
  path?: string;
}

/**
 * No path (and no LAB_REPLY_SCRIPT): no rules. A relative path is taken from the
 * current directory, not from this module's folder (kernels have no __dirname).
 */
export function openReplyScript(path: string | undefined = process.env[REPLY_SCRIPT_ENV]): ReplyScript {
  if (!path) return { rules: () => [] };
  const full = resolve(path);
  let loadedAt = -1;
  let cached: ReplyRule[] = [];
  const rules = (): ReplyRule[] => {
    const mtime = statSync(full).mtimeMs;
    if (mtime !== loadedAt) {
      cached = parseReplyScript(readFileSync(full, "utf8"), full);
      loadedAt = mtime;
    }
    return cached;
  };
  rules(); // fail at start-up, not on the first request
  return { rules, path: full };
}

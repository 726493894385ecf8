/**
 * The lab's own policy documents, in policies/ at the lab's root. Found from the current
 * directory upwards (kernels have no __dirname; the notebook, `npm run lab` and the tests
 * all run inside the lab), loaded once per process.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadPolicyFile } from "./document";
import type { PolicyDocument } from "./types";

export const DEFAULT_POLICY = "openai.xml";
export const BUFFERED_POLICY = "openai-buffered.xml";

/** policies/<name> of the lab this process runs in. */
export function policyPath(name: string, from = process.cwd()): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, "policies", name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`policies/${name} was not found from ${from} upwards: run the lab from its folder`);
  }
}

const loaded = new Map<string, PolicyDocument>();

/** policies/openai.xml, or policies/openai-buffered.xml for the buffered API. */
export function defaultPolicy(buffered: boolean): PolicyDocument {
  const name = buffered ? BUFFERED_POLICY : DEFAULT_POLICY;
  let document = loaded.get(name);
  if (document === undefined) {
    document = loadPolicyFile(policyPath(name));
    loaded.set(name, document);
  }
  return document;
}

/** Checking a presented key or token against the lab's own, the same way in all three servers. */
import { hash, timingSafeEqual } from "node:crypto";

/** One-shot: no Hash object per check (every gateway call checks a key). Node 20.12+, Deno 2. */
function sha256(text: string): Buffer {
  return hash("sha256", text, "buffer");
}

/**
 * A check for one secret, in constant time: both sides are hashed first, so the lengths
 * are equal and the comparison time says nothing about the secret. The expected side is
 * hashed once, here.
 */
export function secretMatcher(expected: string): (given: string) => boolean {
  const digest = sha256(expected);
  return (given) => timingSafeEqual(sha256(given), digest);
}

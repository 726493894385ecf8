/** Checking a presented key or token against the lab's own, the same way in all three servers. */
import { createHash, timingSafeEqual } from "node:crypto";

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
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

import assert from "node:assert/strict";
import { test } from "node:test";
import { createRateLimiter } from "../lib/local-lab/backend/rate-limit";

test("requests per minute: a sliding window, with the wait until the oldest leaves", () => {
  const limiter = createRateLimiter({ requestsPerMinute: 2, tokensPerMinute: 1_000_000 });
  assert.deepEqual(limiter.admit(10, 0), { remainingRequests: 1, remainingTokens: 999_990 });
  assert.equal(limiter.admit(10, 20_000).refused, undefined);
  const refused = limiter.admit(10, 30_000);
  assert.deepEqual(refused, { remainingRequests: 0, remainingTokens: 999_980, refused: { kind: "call", retryAfterSeconds: 30 } });
  assert.equal(limiter.admit(10, 60_001).refused, undefined, "the first request has left the window");
});

test("tokens per minute: refused requests cost nothing; retry when enough tokens leave", () => {
  const limiter = createRateLimiter({ requestsPerMinute: 100, tokensPerMinute: 100 });
  assert.equal(limiter.admit(60, 0).refused, undefined);
  assert.equal(limiter.admit(30, 10_000).refused, undefined);
  assert.deepEqual(limiter.admit(50, 15_000).refused, { kind: "token", retryAfterSeconds: 45 }, "once the 60-token request leaves at 60 s");
  assert.deepEqual(limiter.remaining(15_000), { remainingRequests: 98, remainingTokens: 10 });
  assert.equal(limiter.admit(10, 15_000).refused, undefined, "a request that fits still passes");
  assert.equal(limiter.admit(500, 15_000).refused?.retryAfterSeconds, 60);
});

/**
 * Per-deployment sliding windows of one minute, for requests and for tokens, like
 * Azure's TPM/RPM quota. A request is counted with its prompt tokens plus the tokens
 * the simulator will generate, at admission. The clock is passed in, so tests need no
 * waiting.
 */

const WINDOW_MS = 60_000;

export interface Limits {
  tokensPerMinute: number;
  requestsPerMinute: number;
}

export interface Admission {
  remainingRequests: number;
  remainingTokens: number;
  /** Set when the request is over a limit: which one, and when to come back. */
  refused?: { kind: "token" | "call"; retryAfterSeconds: number };
}

export interface RateLimiter {
  admit(tokens: number, now: number): Admission;
  /** What is left now, for headers on responses that were not admitted (errors). */
  remaining(now: number): { remainingRequests: number; remainingTokens: number };
}

export function createRateLimiter(limits: Limits): RateLimiter {
  // Oldest first; each admitted request with its token cost.
  const entries: Array<{ at: number; tokens: number }> = [];

  const prune = (now: number) => {
    while (entries.length > 0 && entries[0].at <= now - WINDOW_MS) entries.shift();
  };
  const used = () => entries.reduce((sum, e) => sum + e.tokens, 0);
  const remaining = (now: number) => {
    prune(now);
    return {
      remainingRequests: Math.max(0, limits.requestsPerMinute - entries.length),
      remainingTokens: Math.max(0, limits.tokensPerMinute - used()),
    };
  };
  const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at + WINDOW_MS - now) / 1000));

  return {
    remaining,
    admit(tokens, now) {
      const left = remaining(now);
      if (entries.length >= limits.requestsPerMinute) {
        return { ...left, refused: { kind: "call", retryAfterSeconds: secondsUntil(entries[0].at, now) } };
      }
      if (used() + tokens > limits.tokensPerMinute) {
        return { ...left, refused: { kind: "token", retryAfterSeconds: tokenRetry(tokens, now) } };
      }
      entries.push({ at: now, tokens });
      return remaining(now);
    },
  };

  /** When enough old requests leave the window for this one to fit (a minute if it never will). */
  function tokenRetry(tokens: number, now: number): number {
    if (tokens > limits.tokensPerMinute) return 60;
    let total = used();
    for (const e of entries) {
      total -= e.tokens;
      if (total + tokens <= limits.tokensPerMinute) return secondsUntil(e.at, now);
    }
    return 60;
  }
}

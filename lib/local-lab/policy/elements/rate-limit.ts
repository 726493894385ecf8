/**
 * `rate-limit` (learn.microsoft.com/azure/api-management/rate-limit-policy): `calls` per
 * sliding `renewal-period` seconds, counted for the lab's one subscription. Over it, the
 * caller gets APIM's 429 body, "Rate limit is exceeded. Try again in N seconds." with
 * Retry-After N (Microsoft's Partner Center and NuGet API docs show the body).
 */
import type { PolicyModule } from "../types";
import { GatewayFailure } from "../../gateway/errors";

export const rateLimit: PolicyModule = {
  names: ["rate-limit"],
  sections: ["inbound"],
  compile(el, c) {
    const calls = c.integer(el, "calls", { required: true })!;
    const period = c.integer(el, "renewal-period", { required: true })!;
    if (period > 300) c.fail(el, "'renewal-period' may be at most 300 seconds");
    if (el.children.length > 0) c.fail(el.children[0], "per-API and per-operation limits are not supported in the lab");
    const retryHeader = c.literal(el, "retry-after-header-name") ?? "Retry-After";
    const retryVariable = c.literal(el, "retry-after-variable-name");
    const remainingHeader = c.literal(el, "remaining-calls-header-name");
    const remainingVariable = c.literal(el, "remaining-calls-variable-name");
    const totalHeader = c.literal(el, "total-calls-header-name");
    // One counter per loaded document: call times within the window, oldest first.
    const times: number[] = [];
    return {
      name: "rate-limit",
      run(ctx) {
        const now = Date.now();
        while (times.length > 0 && times[0] <= now - period * 1000) times.shift();
        const headers = ctx.call.responseHeaders;
        if (totalHeader) headers[totalHeader] = String(calls);
        if (times.length >= calls) {
          const retryAfter = Math.max(1, Math.ceil((times[0] + period * 1000 - now) / 1000));
          if (retryVariable) ctx.variables.set(retryVariable, retryAfter);
          ctx.trace("rate-limit", () => ({ message: `The limit of ${calls} calls in ${period} seconds was reached.`, retryAfter }));
          throw new GatewayFailure(429, { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.` }, {
            source: "rate-limit", reason: "RateLimitExceeded", message: "Rate limit is exceeded", section: "inbound",
          }, { [retryHeader]: String(retryAfter), ...(remainingHeader ? { [remainingHeader]: "0" } : {}) });
        }
        times.push(now);
        const remaining = calls - times.length;
        if (remainingHeader) headers[remainingHeader] = String(remaining);
        if (remainingVariable) ctx.variables.set(remainingVariable, remaining);
        ctx.trace("rate-limit", () => ({ message: "The call is within the rate limit.", remainingCalls: remaining }));
      },
    };
  },
};

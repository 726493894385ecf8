/** `set-status` (learn.microsoft.com/azure/api-management/set-status-policy): both attributes required. */
import type { PolicyModule } from "../types";

export const setStatus: PolicyModule = {
  names: ["set-status"],
  sections: ["inbound", "outbound", "backend", "on-error"],
  compile(el, c) {
    const code = c.integer(el, "code", { required: true })!;
    const reason = c.literal(el, "reason", { required: true })!;
    if (code < 100 || code > 599) c.fail(el, `'code' must be an HTTP status code, got ${code}`);
    return {
      name: "set-status",
      run(ctx) {
        ctx.headers("response"); // makes the response if there is none yet
        ctx.response!.status = code;
        ctx.response!.reason = reason;
        // The trace's `message` is an array here (the REST spec's listTrace example).
        ctx.trace("set-status", () => ({ message: [`Response status code was set to ${code}`, `Response status reason was set to '${reason}'`] }));
      },
    };
  },
};

/**
 * `return-response` (learn.microsoft.com/azure/api-management/return-response-policy):
 * ends the pipeline with a response built by its set-status, set-header and set-body
 * children; the default is `200 OK` with no body. A backend body not read yet is dropped.
 */
import type { Outcome, PolicyModule } from "../types";
import { STOP } from "../types";
import { runPolicies } from "../engine";
import { headerList } from "../../trace/entries";

export const returnResponse: PolicyModule = {
  names: ["return-response"],
  sections: ["inbound", "outbound", "backend", "on-error"],
  compile(el, c) {
    if (el.attributes["response-variable-name"] !== undefined) c.fail(el, "'response-variable-name' is not supported in the lab");
    for (const child of el.children) {
      if (!["set-status", "set-header", "set-body"].includes(child.name)) c.fail(child, "return-response takes only set-status, set-header and set-body");
    }
    const children = c.policies(el.children, "response", true);
    return {
      name: "return-response",
      async run(ctx): Promise<Outcome> {
        ctx.response?.message?.resume();
        ctx.response = { status: 200, reason: "OK", headers: {}, body: Buffer.alloc(0) };
        ctx.returned = true;
        await runPolicies(children, ctx);
        const r = ctx.response;
        ctx.trace("return-response", () => ({
          message: "Return response was applied",
          response: { status: { code: r.status, reason: r.reason }, headers: headerList(r.headers) },
        }));
        return STOP;
      },
    };
  },
};

/**
 * `set-header` (learn.microsoft.com/azure/api-management/set-header-policy): the request
 * on its way to the backend in inbound and backend, the response in outbound and on-error.
 * Several `<value>`s are joined with commas, as APIM joins most headers.
 */
import type { PolicyModule } from "../types";
import { text } from "../expression/evaluate";
import { headerAssigned } from "../../trace/entries";

/** APIM refuses to change these (set-header's "Limitations"). */
const FIXED = new Set(["connection", "content-length", "keep-alive", "transfer-encoding"]);

export const setHeader: PolicyModule = {
  names: ["set-header"],
  sections: ["inbound", "outbound", "backend", "on-error"],
  compile(el, c) {
    const name = c.literal(el, "name", { required: true })!;
    const action = c.literal(el, "exists-action", { choices: ["override", "skip", "append", "delete"] }) ?? "override";
    if (FIXED.has(name.toLowerCase())) c.fail(el, `the header '${name}' cannot be modified or deleted`);
    const values = el.children.map((child) => {
      if (child.name !== "value") c.fail(child, "set-header takes only <value> elements");
      return c.text(child);
    });
    const key = name.toLowerCase();
    const target = c.target;
    return {
      name: "set-header",
      readsResponseBody: values.some((v) => v.expression?.readsResponseBody),
      run(ctx) {
        const headers = ctx.headers(target);
        if (action === "delete") {
          delete headers[key];
          ctx.trace("set-header", () => ({ message: "Specified header was removed.", header: { name } }));
          return;
        }
        if (action === "skip" && headers[key] !== undefined) return;
        const joined = values.map((v) => text(v.get(ctx))).join(",");
        const prior = headers[key];
        headers[key] = action === "append" && prior !== undefined ? [prior, joined].join(",") : joined;
        ctx.trace("set-header", () => headerAssigned(name, String(headers[key])));
      },
    };
  },
};

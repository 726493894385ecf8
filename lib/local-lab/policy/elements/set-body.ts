/**
 * `set-body` (learn.microsoft.com/azure/api-management/set-body-policy). On the response,
 * an expression that reads `context.Response.Body` needs the whole body first: the
 * engine buffers it (the trace says so), and the caller gets nothing until the backend
 * has finished. A body that does not read the old one replaces it without waiting.
 */
import type { PolicyModule } from "../types";
import { text } from "../expression/evaluate";

export const setBody: PolicyModule = {
  names: ["set-body"],
  sections: ["inbound", "outbound", "backend"],
  compile(el, c) {
    if (el.attributes.template !== undefined) c.fail(el, "template=\"liquid\" is not supported in the lab");
    c.literal(el, "xsi-nil", { choices: ["blank", "null"] });
    c.literal(el, "parse-date", { choices: ["true", "false"] });
    const body = c.text(el);
    const target = c.target;
    return {
      name: "set-body",
      readsResponseBody: body.expression?.readsResponseBody,
      run(ctx) {
        const bytes = Buffer.from(text(body.get(ctx)), "utf8");
        if (target === "request") {
          ctx.call.body = bytes;
          ctx.call.backendHeaders["content-length"] = String(bytes.length);
        } else {
          ctx.headers("response");
          ctx.response!.message?.resume(); // the backend's body, not needed any more
          ctx.response!.message = undefined;
          ctx.response!.body = bytes;
        }
        ctx.trace("set-body", () => ({ message: `The ${target} body was set (${bytes.length} bytes).` }));
      },
    };
  },
};

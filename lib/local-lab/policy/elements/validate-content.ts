/**
 * `validate-content` (learn.microsoft.com/azure/api-management/validate-content-policy).
 * On the response it needs the whole body, so the engine buffers it: Microsoft's SSE
 * guidance names this policy as one that "can also buffer response content". The lab
 * checks size and content type and, for `validate-as="json"`, that the body is JSON;
 * schemas are not supported. `prevent` answers 400 inbound and 502 outbound, with the
 * public messages of APIM's validation error reference.
 */
import type { PolicyModule } from "../types";
import { GatewayFailure } from "../../gateway/errors";
import { buffer } from "../engine";

const ACTIONS = ["ignore", "prevent", "detect"] as const;
type Action = (typeof ACTIONS)[number];
const INTERNAL = "The request could not be processed due to an internal error. Contact the API owner.";

interface ContentRule {
  type?: string;
  action?: Action;
}

export const validateContent: PolicyModule = {
  names: ["validate-content"],
  sections: ["inbound", "outbound", "on-error"],
  compile(el, c) {
    const unspecified = c.literal(el, "unspecified-content-type-action", { required: true, choices: ACTIONS }) as Action;
    const maxSize = c.integer(el, "max-size", { required: true })!;
    if (maxSize > 102_400) c.fail(el, "'max-size' may be at most 102400 bytes (100 KB)");
    const sizeAction = c.literal(el, "size-exceeded-action", { required: true, choices: ACTIONS }) as Action;
    const errorsVariable = c.literal(el, "errors-variable-name");
    const rules: ContentRule[] = el.children.map((child) => {
      if (child.name !== "content") c.fail(child, `<${child.name}> is not supported in the lab (only <content validate-as="json">)`);
      c.literal(child, "validate-as", { required: true, choices: ["json"] });
      if (child.attributes["schema-id"] !== undefined || child.attributes["schema-ref"] !== undefined) c.fail(child, "schemas are not supported in the lab");
      return { type: c.literal(child, "type")?.toLowerCase(), action: c.literal(child, "action", { choices: ACTIONS }) as Action | undefined };
    });
    const onResponse = c.section !== "inbound";
    const which = onResponse ? "Response" : "Request";
    return {
      name: "validate-content",
      async run(ctx) {
        const body = onResponse ? await buffer(ctx, "validate-content") : ctx.call.body;
        const contentType = String((onResponse ? ctx.response?.headers["content-type"] : ctx.call.backendHeaders["content-type"]) ?? "").split(";")[0].trim().toLowerCase();
        const errors: { Name: string; Type: string; ValidationRule: string; Details: string; Action: Action }[] = [];
        if (body.length > maxSize && sizeAction !== "ignore") {
          errors.push({ Name: "", Type: `${which}Body`, ValidationRule: "SizeLimit", Details: `${which}'s body is ${body.length} bytes long and it exceeds the configured limit of ${maxSize} bytes.`, Action: sizeAction });
        }
        const rule = rules.find((r) => r.type === undefined || r.type === contentType);
        if (rule === undefined) {
          if (unspecified !== "ignore") errors.push({ Name: "", Type: `${which}Body`, ValidationRule: "Unspecified", Details: `Unspecified content type ${contentType} is not allowed.`, Action: unspecified });
        } else if ((rule.action ?? "prevent") !== "ignore") {
          try {
            JSON.parse(body.toString("utf8"));
          } catch (e) {
            errors.push({ Name: contentType, Type: `${which}Body`, ValidationRule: "IncorrectMessage", Details: `Body of the ${which.toLowerCase()} does not conform to the definition, which is associated with the content type ${contentType}. ${(e as Error).message}`, Action: rule.action ?? "prevent" });
          }
        }
        if (errorsVariable !== undefined) ctx.variables.set(errorsVariable, JSON.stringify(errors));
        ctx.trace("validate-content", () => ({ message: errors.length === 0 ? "Content was validated." : "Content validation found errors.", contentType, bytes: body.length, errors }));
        const blocking = errors.find((e) => e.Action === "prevent");
        if (blocking === undefined) return;
        const status = onResponse ? 502 : 400;
        const message = onResponse ? INTERNAL : blocking.Details;
        throw new GatewayFailure(status, { statusCode: status, message }, {
          source: "validate-content", reason: onResponse ? "Response not allowed" : "Bad request", message: blocking.Details, section: onResponse ? "outbound" : "inbound",
        });
      },
    };
  },
};

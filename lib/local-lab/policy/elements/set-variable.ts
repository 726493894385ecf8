/** `set-variable` (learn.microsoft.com/azure/api-management/set-variable-policy). */
import type { PolicyModule } from "../types";
import { EvaluationError, text } from "../expression/evaluate";
import { JsonToken } from "../expression/json-text";
import { variableSet } from "../../trace/entries";

export const setVariable: PolicyModule = {
  names: ["set-variable"],
  sections: ["inbound", "outbound", "backend", "on-error"],
  compile(el, c) {
    const name = c.literal(el, "name", { required: true })!;
    const value = c.value(el, "value", { required: true })!;
    return {
      name: "set-variable",
      readsResponseBody: value.expression?.readsResponseBody,
      run(ctx) {
        const v = value.get(ctx);
        // APIM's list of allowed variable types has no JObject or JToken.
        if (v instanceof JsonToken) throw new EvaluationError(`The value of '${name}' is a JToken, which is not an allowed variable type; call ToString().`);
        ctx.variables.set(name, v);
        ctx.trace("set-variable", () => variableSet(name, text(v)));
      },
    };
  },
};

/**
 * `choose` with `when` and `otherwise` (learn.microsoft.com/azure/api-management/choose-policy):
 * the first `when` whose condition is true runs, else `otherwise`.
 */
import type { Policy, PolicyModule, Value } from "../types";
import { EvaluationError } from "../expression/evaluate";
import { runPolicies } from "../engine";
import { expressionEvaluated } from "../../trace/entries";

export const choose: PolicyModule = {
  names: ["choose"],
  sections: ["inbound", "outbound", "backend", "on-error"],
  compile(el, c) {
    const branches: { condition?: Value; policies: Policy[] }[] = [];
    for (const child of el.children) {
      if (child.name === "when") {
        if (branches.length > 0 && branches[branches.length - 1].condition === undefined) c.fail(child, "<when> must come before <otherwise>");
        branches.push({ condition: c.value(child, "condition", { required: true }), policies: c.policies(child.children) });
      } else if (child.name === "otherwise") {
        if (branches.some((b) => b.condition === undefined)) c.fail(child, "choose may have one <otherwise>");
        branches.push({ policies: c.policies(child.children) });
      } else c.fail(child, "choose takes only <when> and <otherwise>");
    }
    if (!branches.some((b) => b.condition !== undefined)) c.fail(el, "choose must contain at least one <when>");
    return {
      name: "choose",
      readsResponseBody: branches.some((b) => b.condition?.expression?.readsResponseBody),
      run(ctx) {
        for (const b of branches) {
          if (b.condition !== undefined) {
            const raw = b.condition.get(ctx);
            const result = typeof raw === "string" && !b.condition.expression ? raw.trim().toLowerCase() === "true" : raw;
            if (typeof result !== "boolean") throw new EvaluationError(`A when condition must be a bool, got ${typeof result}.`);
            ctx.trace("choose", () => expressionEvaluated(b.condition!.source, result));
            if (!result) continue;
          }
          return runPolicies(b.policies, ctx);
        }
      },
    };
  },
};

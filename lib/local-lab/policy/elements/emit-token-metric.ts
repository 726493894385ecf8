/**
 * `llm-emit-token-metric` and `azure-openai-emit-token-metric` (learn.microsoft.com/azure/
 * api-management/llm-emit-token-metric-policy): Total, Prompt and Completion Tokens with
 * the given dimensions. The lab has no Application Insights, so the metric is written to
 * the trace once the response has gone by; the stream is watched, not held
 * ("When stream is set to true ... token metrics are estimated").
 */
import type { PolicyModule, Value } from "../types";
import { text } from "../expression/evaluate";
import { countResponse, loadTokenizer } from "../tokens";

/** Dimensions that may go without a value; the lab fills in its own. */
const DEFAULTS: Record<string, string> = {
  "API ID": "openai", "Operation ID": "ChatCompletions_Create", "Product ID": "-", "User ID": "-",
  "Subscription ID": "master", "Location": "Local Lab", "Gateway ID": "managed", "Backend ID": "openai-backend",
};

export const emitTokenMetric: PolicyModule = {
  names: ["llm-emit-token-metric", "azure-openai-emit-token-metric"],
  sections: ["inbound"],
  compile(el, c) {
    const name = el.name;
    const namespace = c.literal(el, "namespace") ?? "API Management";
    const dimensions: { name: string; value?: Value }[] = el.children.map((child) => {
      if (child.name !== "dimension") c.fail(child, "only <dimension> elements go here");
      const dimension = c.literal(child, "name", { required: true })!;
      const value = c.value(child, "value");
      if (value === undefined && DEFAULTS[dimension] === undefined) c.fail(child, `the dimension '${dimension}' needs a value (it is not a default dimension)`);
      return { name: dimension, value };
    });
    if (dimensions.length === 0) c.fail(el, "at least one <dimension> is required");
    if (dimensions.length > 10) c.fail(el, "at most 10 dimensions");
    const estimateStreamedCompletion = name === "azure-openai-emit-token-metric";
    const tokenizer = loadTokenizer();
    return {
      name,
      async run(ctx) {
        const tokenizerFor = await tokenizer;
        const values = Object.fromEntries(dimensions.map((d) => [d.name, d.value === undefined ? DEFAULTS[d.name] : text(d.value.get(ctx))]));
        ctx.observers.push(countResponse(ctx, tokenizerFor, estimateStreamedCompletion, (count) => {
          ctx.call.trace.add("outbound", name, {
            message: `Metrics were recorded here instead of being sent to Application Insights (namespace '${namespace}').`,
            namespace,
            dimensions: values,
            metrics: { "Total Tokens": count.total, "Prompt Tokens": count.prompt, "Completion Tokens": count.completion },
            estimated: !count.reported,
          });
        }));
      },
    };
  },
};

/**
 * `llm-token-limit` and `azure-openai-token-limit` (learn.microsoft.com/azure/api-management/
 * llm-token-limit-policy, azure-openai-token-limit-policy): tokens per minute for each
 * counter key, over a rolling 60-second window. The check comes before the backend is
 * called, so a caller over the limit gets a 429 before any stream starts, with Retry-After
 * and the remaining-tokens header; the body, "Token limit is exceeded. Try again in N
 * seconds.", is what callers of real gateways have recorded (Microsoft documents only the
 * status). Consumption is counted when the response has gone by (../tokens): the model's
 * usage, or, for streamed requests, the documented estimates.
 */
import type { PolicyModule } from "../types";
import { GatewayFailure } from "../../gateway/errors";
import { text } from "../expression/evaluate";
import { countResponse, estimatePrompt, isStreamed, loadTokenizer } from "../tokens";

const WINDOW_MS = 60_000;

export const tokenLimit: PolicyModule = {
  names: ["llm-token-limit", "azure-openai-token-limit"],
  sections: ["inbound"],
  compile(el, c) {
    const name = el.name;
    const counterKey = c.value(el, "counter-key", { required: true })!;
    if (el.attributes["token-quota"] !== undefined || el.attributes["token-quota-period"] !== undefined) c.fail(el, "token quotas are not supported in the lab (tokens-per-minute is)");
    const tpm = c.integer(el, "tokens-per-minute", { required: true })!;
    const estimate = c.literal(el, "estimate-prompt-tokens", { required: true, choices: ["true", "false"] }) === "true";
    const retryHeader = c.literal(el, "retry-after-header-name") ?? "Retry-After";
    const retryVariable = c.literal(el, "retry-after-variable-name");
    const remainingHeader = c.literal(el, "remaining-tokens-header-name");
    const remainingVariable = c.literal(el, "remaining-tokens-variable-name");
    const consumedHeader = c.literal(el, "tokens-consumed-header-name");
    const consumedVariable = c.literal(el, "tokens-consumed-variable-name");
    // The azure-openai policy also estimates completion tokens of a streamed response.
    const estimateStreamedCompletion = name === "azure-openai-token-limit";
    // Per counter key: what was consumed when, oldest first; one counter per loaded document.
    const counters = new Map<string, { at: number; tokens: number }[]>();
    const tokenizer = loadTokenizer();
    return {
      name,
      async run(ctx) {
        const tokenizerFor = await tokenizer;
        const key = text(counterKey.get(ctx));
        const now = Date.now();
        const spent = counters.get(key) ?? [];
        while (spent.length > 0 && spent[0].at <= now - WINDOW_MS) spent.shift();
        counters.set(key, spent);
        const used = spent.reduce((sum, s) => sum + s.tokens, 0);
        const remaining = Math.max(0, tpm - used);
        // Streamed requests always have their prompt estimated, whatever estimate-prompt-tokens says.
        const prompt = estimate || isStreamed(ctx) ? estimatePrompt(ctx, tokenizerFor) : 0;
        if (remaining === 0 || prompt > remaining) {
          const retryAfter = Math.max(1, Math.ceil(((spent[0]?.at ?? now) + WINDOW_MS - now) / 1000));
          if (retryVariable) ctx.variables.set(retryVariable, retryAfter);
          ctx.trace(name, () => ({ message: `Token limit of ${tpm} tokens per minute reached for this counter key.`, usedTokens: used, promptTokens: prompt, retryAfter }));
          throw new GatewayFailure(429, { statusCode: 429, message: `Token limit is exceeded. Try again in ${retryAfter} seconds.` }, {
            source: name, reason: "TokenLimitExceeded", message: "Token limit is exceeded", section: "inbound",
          }, { [retryHeader]: String(retryAfter), ...(remainingHeader ? { [remainingHeader]: String(remaining) } : {}) });
        }
        // Counted at once, corrected when the response has gone by.
        const entry = { at: now, tokens: prompt };
        spent.push(entry);
        if (remainingHeader) ctx.call.responseHeaders[remainingHeader] = String(remaining - prompt);
        if (remainingVariable) ctx.variables.set(remainingVariable, remaining - prompt);
        if (consumedVariable) ctx.variables.set(consumedVariable, prompt);
        if (consumedHeader) ctx.call.responseHeaders[consumedHeader] = String(prompt);
        ctx.trace(name, () => ({ message: "The request is within the token limit.", remainingTokens: remaining - prompt, promptTokens: prompt, estimated: prompt > 0 }));
        ctx.observers.push(countResponse(ctx, tokenizerFor, estimateStreamedCompletion, (count) => {
          entry.tokens = count.total;
          if (consumedVariable) ctx.variables.set(consumedVariable, count.total);
          ctx.call.trace.add("outbound", name, { message: "Tokens counted against the limit.", ...count });
        }));
      },
    };
  },
};

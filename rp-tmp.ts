import { AzureOpenAI } from "openai";
import { startLocalLab } from "./lib/local-lab/index";
(async () => {
  const lab = await startLocalLab({ timing: { firstTokenMs: 50, tokenMs: 2, jitter: 0 } });
  const mk = (p = "", maxRetries = 0) => new AzureOpenAI({ endpoint: lab.gatewayUrl + p, apiKey: lab.subscriptionKey, apiVersion: "2024-10-21", maxRetries });
  const drain = async (s: AsyncIterable<unknown>) => { for await (const _ of s); };
  let errors = 0;
  for (let round = 0; round < 40; round++) {
    await drain(await mk().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Count to 30" }], stream: true }));
    await drain(await mk("/buffered").chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Count to 30" }], stream: true }));
    // a sync block, like a cell's compile
    const until = performance.now() + (round % 5) * 300; while (performance.now() < until);
    try {
      await mk().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Count to 50." }], stream: true }, { headers: { "x-lab-fault": "429=7" } });
    } catch (e) { if ((e as Error).constructor.name !== "RateLimitError") { errors++; console.log(round, (e as Error).constructor.name, String((e as any).cause?.cause ?? (e as any).cause)); } }
  }
  console.log("errors", errors);
  await lab.close();
})();

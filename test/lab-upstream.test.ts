/** The gateway in front of a real model: the lab's backend forwards to an upstream endpoint. */
import assert from "node:assert/strict";
import test from "node:test";
import { AzureOpenAI } from "openai";
import { startBackend, ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { startLocalLab } from "../lib/local-lab/index";

test("a lab whose backend forwards to an Azure OpenAI endpoint streams its answers through the gateway", async () => {
  // Another simulator stands in for the real Azure OpenAI resource.
  const azure = await startBackend({ timing: ZERO_LATENCY });
  const lab = await startLocalLab({ upstream: { kind: "azure", url: azure.url, apiKey: azure.apiKey } });
  try {
    const client = new AzureOpenAI({ endpoint: lab.gatewayUrl, apiKey: lab.subscriptionKey, apiVersion: "2024-10-21" });
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Count to 5." }], stream: true })
      .withResponse();
    let text = "";
    for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(response.headers.get("x-lab-backend"), "upstream-azure");
    assert.equal(response.headers.get("x-ms-stream"), "True");
    assert.equal(text, "1, 2, 3, 4, 5");
  } finally {
    await lab.close();
    await azure.close();
  }
});

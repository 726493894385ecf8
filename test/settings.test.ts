import assert from "node:assert/strict";
import test from "node:test";
import { loadSettings, settingsRows } from "../lib/settings";

test("defaults: the local lab, resource group lab-<deployment>", () => {
  const s = loadSettings({}, {});
  assert.equal(s.target, "local");
  assert.equal(s.deploymentName, "streaming");
  assert.equal(s.resourceGroup, "lab-streaming");
  assert.equal(s.openaiDeploymentName, "gpt-4o-mini");
  assert.equal(s.openaiApiVersion, "2024-10-21");
  assert.equal(s.apiName, "openai");
  assert.equal(s.managementEndpoint, "https://management.azure.com");
});

test("parameters win over the environment, which wins over defaults", () => {
  const env = { LAB_TARGET: "azure", LAB_DEPLOYMENT_NAME: "from-env", LAB_OPENAI_DEPLOYMENT: "gpt-4.1-mini", AZURE_SUBSCRIPTION_ID: "sub-1" };
  const s = loadSettings({ deploymentName: "from-param" }, env);
  assert.equal(s.target, "azure");
  assert.equal(s.deploymentName, "from-param");
  assert.equal(s.resourceGroup, "lab-from-param");
  assert.equal(s.openaiDeploymentName, "gpt-4.1-mini");
  assert.equal(s.subscriptionId, "sub-1");
});

test("an explicit resource group is kept; blank values count as unset", () => {
  const s = loadSettings({ resourceGroup: "my-rg", apiName: "  " }, { LAB_DEPLOYMENT_NAME: "" });
  assert.equal(s.resourceGroup, "my-rg");
  assert.equal(s.deploymentName, "streaming");
  assert.equal(s.apiName, "openai");
});

test("bad settings fail in one line that says what to use", () => {
  assert.throws(() => loadSettings({ target: "aws" }, {}), { name: "SettingsError", message: 'target "aws" is not known: use "local" (the offline lab) or "azure" (a real deployment)' });
  assert.throws(() => loadSettings({ openaiApiVersion: "latest" }, {}), /openaiApiVersion "latest" is not an API version: use a date such as 2024-10-21/);
  assert.throws(() => loadSettings({ managementEndpoint: "management.azure.com" }, {}), /is not a URL/);
  assert.throws(() => loadSettings({ deploymentNmae: "x" } as never, {}), /unknown setting "deploymentNmae": use one of target, deploymentName/);
});

test("settings rows show every setting, with unset ones marked", () => {
  const rows = settingsRows(loadSettings({}, {}));
  assert.deepEqual(rows.find(([n]) => n === "subscriptionId"), ["subscriptionId", "(not set)"]);
  assert.equal(rows.length, 9);
});

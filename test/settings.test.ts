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
  assert.equal(rows.length, 12);
});

test("replay, upstream and record are for the local lab: record needs an upstream, replay takes none", () => {
  assert.equal(loadSettings({ replay: "recordings/workshop" }, {}).replay, "recordings/workshop");
  assert.equal(loadSettings({}, { LAB_REPLAY: "from-env" }).replay, "from-env");
  assert.deepEqual(
    (({ upstream, record }) => ({ upstream, record }))(loadSettings({ upstream: "https://x.openai.azure.com/", record: "rec" }, {})),
    { upstream: "https://x.openai.azure.com", record: "rec" },
  );
  assert.throws(() => loadSettings({ target: "azure", deploymentName: "d", replay: "r" }, {}), /replay is for the local lab: leave it out with target "azure", or set target "local"/);
  assert.throws(() => loadSettings({ record: "rec" }, {}), /record needs upstream/);
  assert.throws(() => loadSettings({ replay: "r", upstream: "https://x.openai.azure.com" }, {}), /replay answers from recordings: leave out upstream/);
  assert.throws(() => loadSettings({ upstream: "x.openai.azure.com" }, {}), /upstream "x\.openai\.azure\.com" is not a URL/);
});

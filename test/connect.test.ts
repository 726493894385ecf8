/** Step 1 on the local target: the lab starts in this process, once, and is reused. */
import assert from "node:assert/strict";
import test from "node:test";
import { closeSharedLocalLab, connect } from "../lib/connect";
import { knownSecrets } from "../lib/report/mask";
import { loadSettings } from "../lib/settings";

test("running step 1 again reuses the local lab; other names start a new one", async () => {
  try {
    const settings = loadSettings({}, {});
    const first = await connect(settings);
    const again = await connect(settings);
    assert.ok(first.localLab);
    assert.equal(again.localLab, first.localLab, "the same lab, not a second one");
    assert.equal(first.localLab.resourceGroup, "lab-streaming");
    assert.ok(knownSecrets().includes(first.localLab.subscriptionKey), "its secrets are masked from now on");
    assert.ok(knownSecrets().includes(first.localLab.managementToken));

    const outputs = await first.management.getDeploymentOutputs(first.subscriptionId, settings.resourceGroup, settings.deploymentName);
    assert.equal(outputs.apimResourceGatewayURL, first.localLab.gatewayUrl);

    const other = await connect(loadSettings({ deploymentName: "other" }, {}));
    assert.notEqual(other.localLab, first.localLab);
    assert.equal(other.localLab?.resourceGroup, "lab-other");
    await assert.rejects(fetch(first.localLab.gatewayUrl), "the previous lab was closed");
  } finally {
    await closeSharedLocalLab();
  }
});

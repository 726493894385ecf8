/** Step 1: on the local target the lab starts in this process, once, and is reused; on Azure it needs the Azure CLI. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { closeSharedLocalLab, connect } from "../lib/connect";
import { knownSecrets } from "../lib/report/mask";
import { loadSettings } from "../lib/settings";
import { rejection } from "./fixtures/rejection";

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

test("on Azure without the Azure CLI, step 1 names the missing CLI and how to get it, in one complete line", async () => {
  // As on a machine without az, subscription chosen or not: a PATH that holds nothing.
  const path = process.env.PATH;
  process.env.PATH = mkdtempSync(join(tmpdir(), "no-az-"));
  try {
    for (const subscriptionId of ["00000000-0000-0000-0000-000000000001", ""]) {
      const settings = loadSettings({ target: "azure", deploymentName: "my-lab", subscriptionId }, {});
      const error = await rejection(connect(settings).then((lab) => lab.management.getDeploymentOutputs(lab.subscriptionId, settings.resourceGroup, settings.deploymentName)));
      assert.equal(error.code, "AzureCliNotFound", subscriptionId || "no subscription id");
      assert.equal(
        error.message,
        "the Azure CLI (az) is not installed or not on PATH, and the lab signs in to Azure with it: install it (https://aka.ms/azure-cli), run `az login`, then run this step again",
      );
    }
  } finally {
    process.env.PATH = path;
  }
});

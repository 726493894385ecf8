// Pure pieces of the management API: durations and ARM paths.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIsoDuration } from "../lib/local-lab/management/duration";
import { matchArmRoute, parseApiId } from "../lib/local-lab/management/routes";

test("ISO 8601 durations as .NET reads them", () => {
  assert.equal(parseIsoDuration("PT1H"), 3_600_000);
  assert.equal(parseIsoDuration("PT30M"), 1_800_000);
  assert.equal(parseIsoDuration("PT1.5S"), 1500);
  assert.equal(parseIsoDuration("PT0,5S"), 500);
  assert.equal(parseIsoDuration("P1D"), 86_400_000);
  assert.equal(parseIsoDuration("P1DT2H"), 93_600_000);
  assert.equal(parseIsoDuration("P1W"), 7 * 86_400_000);
  assert.equal(parseIsoDuration("P1M"), 30 * 86_400_000); // month, not minute
  assert.equal(parseIsoDuration("PT0S"), 0);
  for (const bad of ["", "P", "PT", "P1DT", "1H", "PT1h", "pt1h", "PT-1H", "PT1H30", "PTH", "1 hour", "P1H"]) {
    assert.equal(parseIsoDuration(bad), undefined, bad);
  }
});

test("ARM paths match case-insensitively", () => {
  assert.deepEqual(
    matchArmRoute("/subscriptions/S1/resourcegroups/lab-x/providers/Microsoft.Resources/deployments/x"),
    { kind: "deployment", subscriptionId: "S1", resourceGroup: "lab-x", deployment: "x" },
  );
  assert.equal(matchArmRoute("/SUBSCRIPTIONS/S1/RESOURCEGROUPS/rg/PROVIDERS/microsoft.resources/DEPLOYMENTS/x/")?.kind, "deployment");
  assert.deepEqual(
    matchArmRoute("/subscriptions/S1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/gateways/managed/listDebugCredentials"),
    { kind: "gateway-action", subscriptionId: "S1", resourceGroup: "rg", service: "apim", gateway: "managed", action: "listDebugCredentials" },
  );
  assert.equal(matchArmRoute("/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Web/sites/x"), undefined);
  assert.equal(matchArmRoute("/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Resources/deployments"), undefined);
  assert.equal(matchArmRoute("/"), undefined);
});

test("API ids must be full resource ids", () => {
  assert.deepEqual(parseApiId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/openai"), {
    subscriptionId: "s", resourceGroup: "rg", service: "apim", api: "openai",
  });
  assert.equal(parseApiId("openai"), undefined);
  assert.equal(parseApiId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"), undefined);
  assert.equal(parseApiId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/openai/operations/x"), undefined);
});

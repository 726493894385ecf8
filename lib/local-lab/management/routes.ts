/**
 * The ARM paths the notebook calls, matched as ARM matches them: segment names and
 * resource names case-insensitively. Pure, so each path can be tested without a server.
 */

export type ArmRoute =
  | { kind: "deployment"; subscriptionId: string; resourceGroup: string; deployment: string }
  | {
      kind: "gateway-action";
      subscriptionId: string;
      resourceGroup: string;
      service: string;
      gateway: string;
      action: string;
    };

const DEPLOYMENT = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.resources\/deployments\/([^/]+)\/?$/i;
const GATEWAY_ACTION =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.apimanagement\/service\/([^/]+)\/gateways\/([^/]+)\/([^/]+)\/?$/i;

export function matchArmRoute(pathname: string): ArmRoute | undefined {
  const path = safeDecode(pathname);
  let m = DEPLOYMENT.exec(path);
  if (m) return { kind: "deployment", subscriptionId: m[1], resourceGroup: m[2], deployment: m[3] };
  m = GATEWAY_ACTION.exec(path);
  if (m) return { kind: "gateway-action", subscriptionId: m[1], resourceGroup: m[2], service: m[3], gateway: m[4], action: m[5] };
  return undefined;
}

const API_ID = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.apimanagement\/service\/([^/]+)\/apis\/([^/]+)$/i;

export interface ApiIdParts {
  subscriptionId: string;
  resourceGroup: string;
  service: string;
  api: string;
}

/** `{apimServiceId}/apis/{name}`, or undefined when the text is not a full API resource id. */
export function parseApiId(apiId: string): ApiIdParts | undefined {
  const m = API_ID.exec(apiId);
  return m ? { subscriptionId: m[1], resourceGroup: m[2], service: m[3], api: m[4] } : undefined;
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The `data` of each trace entry, shaped as APIM writes it. One builder per source, so
 * the gateway's stages say what happened and this file says how APIM words it.
 */

export interface NameValue {
  name: string;
  value: string;
}

/** Headers as APIM lists them in traces: `[{ name, value }]`, one entry per value. */
export function headerList(headers: Record<string, string | string[] | number | undefined>): NameValue[] {
  const list: NameValue[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push({ name, value: String(one) });
  }
  return list;
}

export function inspectorRequest(method: string, url: string, headers: NameValue[]) {
  return { request: { method, url, headers } };
}

export interface InspectorConfiguration {
  apiPath: string;
  serviceUrl: string;
  operationMethod: string;
  uriTemplate: string;
}

export function inspectorConfiguration(c: InspectorConfiguration) {
  const to = new URL(c.serviceUrl);
  return {
    configuration: {
      api: {
        from: "/" + c.apiPath,
        to: {
          scheme: to.protocol.replace(":", ""),
          host: to.hostname,
          port: Number(to.port || (to.protocol === "https:" ? 443 : 80)),
          path: to.pathname,
          queryString: "",
          query: {},
          isDefaultPort: to.port === "",
        },
        version: null,
        revision: "1",
      },
      operation: { method: c.operationMethod, uriTemplate: c.uriTemplate },
      // The lab's subscription is scoped to all APIs, owned by no user or product.
      user: "-",
      product: "-",
    },
  };
}

export function managedIdentityToken(resource: string, variable?: string) {
  return {
    message: variable === undefined
      ? `Managed identity token for resource '${resource}' was obtained and set in the Authorization header.`
      : `Managed identity token for resource '${resource}' was obtained and stored in the context variable '${variable}'.`,
  };
}

export function headerAssigned(name: string, value: string) {
  return { message: "Specified value was assigned to the header (see below).", header: { name, value } };
}

export function backendServiceChanged(oldUrl: string, newUrl: string, requestUrl: string) {
  return {
    message: "Backend service URL was changed.",
    oldBackendServiceUrl: oldUrl,
    newBackendServiceUrl: newUrl,
    request: { url: requestUrl },
  };
}

export function expressionEvaluated(expression: string, value: unknown) {
  return { message: "Expression was successfully evaluated.", expression, value };
}

export function variableSet(name: string, value: string) {
  return { message: "Context variable was successfully set.", name, value };
}

export function requestForwarded(timeoutSeconds: number, method: string, url: string, headers: NameValue[]) {
  return {
    message: `Request is being forwarded to the backend service. Timeout set to ${timeoutSeconds} seconds`,
    request: { method, url, headers },
  };
}

export function backendResponse(code: number, reason: string, headers: NameValue[]) {
  return { response: { status: { code, reason }, headers } };
}

/** APIM's own wording, typo included. */
export function backendCallFailed(message: string) {
  return { messages: ["Error occured while calling backend service.", message] };
}

export function responseSent() {
  return { message: "Response has been sent to the caller in full" };
}

/** `context.LastError` as APIM's gateway logs show it; recorded in the on-error section. */
export interface ProxyError {
  source: string;
  reason: string;
  message: string;
  section: "inbound" | "backend" | "outbound";
  path?: string;
}

export function lastError(error: ProxyError) {
  return { ...error };
}

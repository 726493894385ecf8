/**
 * Azure Resource Manager's error shape, `{ "error": { "code", "message" } }`, with the
 * codes ARM and APIM use, so a client written for Azure branches on the same codes here.
 */

export interface ArmErrorDetail {
  code: string;
  target?: string;
  message: string;
}

export interface ArmError {
  status: number;
  body: { error: { code: string; message: string; details?: ArmErrorDetail[] } };
}

export function armError(status: number, code: string, message: string, details?: ArmErrorDetail[]): ArmError {
  return { status, body: { error: details ? { code, message, details } : { code, message } } };
}

export const missingAuthorization = () =>
  armError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
export const malformedAuthorization = () =>
  armError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.");
export const invalidToken = () => armError(401, "InvalidAuthenticationToken", "The access token is invalid.");
export const missingApiVersion = () =>
  armError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
/**
 * ARM's answer for a subscription id that is not a GUID. The wording as Azure's ARO-HCP
 * resource provider frontend writes it for ARM (`Azure/ARO-HCP`, frontend/middleware_validatestatic.go).
 */
export const invalidSubscriptionId = (id: string) =>
  armError(400, "InvalidSubscriptionId", `The provided subscription identifier '${id}' is malformed or invalid.`);
export const subscriptionNotFound = (id: string) =>
  armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
export const resourceGroupNotFound = (rg: string) =>
  armError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
export const deploymentNotFound = (name: string) =>
  armError(404, "DeploymentNotFound", `Deployment '${name}' could not be found.`);
export const serviceNotFound = (rg: string, service: string) =>
  armError(404, "ResourceNotFound", `The Resource 'Microsoft.ApiManagement/service/${service}' under resource group '${rg}' was not found.`);
/** What the lab answers itself: a malformed request (400 `BadRequest`) or its own failure (500, ARM's wording). */
export const serverError = (status: number, message: string) =>
  status === 500
    ? armError(500, "InternalServerError", "Encountered internal server error.")
    : armError(status, status === 400 ? "BadRequest" : String(status), message);
export const invalidRequestContent = (why: string) =>
  armError(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: ${why}`);
export const validationError = (target: string, message: string) =>
  armError(400, "ValidationError", message, [{ code: "ValidationError", target, message }]);

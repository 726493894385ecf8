/**
 * Errors in Azure's shape, `{ "error": { "code", "message" } }`, with their HTTP status.
 * Validation returns these as values instead of throwing, so it stays pure and testable.
 */

/** An error answer to send (not an exception to throw: that is lib/errors.ts's `LabError`). */
export interface AzureErrorAnswer {
  status: number;
  code: string;
  message: string;
  /** Extra response headers (retry-after on 429, allow on 405). */
  headers?: Record<string, string>;
  /** The OpenAI-style `param` Azure adds to body validation errors (`null` in the v1 API's 404). */
  param?: string | null;
}

export function isAzureErrorAnswer(x: unknown): x is AzureErrorAnswer {
  return typeof x === "object" && x !== null && typeof (x as AzureErrorAnswer).status === "number" && typeof (x as AzureErrorAnswer).code === "string";
}

export function errorBody(err: AzureErrorAnswer) {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.param !== undefined) {
    error.param = err.param;
    error.type = "invalid_request_error";
  }
  return { error };
}

export const resourceNotFound = (): AzureErrorAnswer => ({ status: 404, code: "404", message: "Resource not found" });

export const unauthorized = (): AzureErrorAnswer => ({
  status: 401,
  code: "401",
  message:
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
});

export const deploymentNotFound = (): AzureErrorAnswer => ({
  status: 404,
  code: "DeploymentNotFound",
  message: "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
});

export const badRequest = (message: string, param?: string): AzureErrorAnswer => ({ status: 400, code: "BadRequest", message, param });

export const tooLarge = (limit: number): AzureErrorAnswer => ({
  status: 413,
  code: "RequestEntityTooLarge",
  message: `The request body is larger than the ${limit} bytes this backend accepts.`,
});

/** Azure's wording, which clients and dashboards match on. */
export function rateLimited(kind: "token" | "call", apiVersion: string, retryAfterSeconds: number, operation = "ChatCompletions_Create"): AzureErrorAnswer {
  const unit = retryAfterSeconds === 1 ? "second" : "seconds";
  return {
    status: 429,
    code: "429",
    message:
      `Requests to the ${operation} Operation under Azure OpenAI API version ${apiVersion} have exceeded ${kind} rate limit ` +
      `of your current OpenAI S0 pricing tier. Please retry after ${retryAfterSeconds} ${unit}. ` +
      "Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.",
    headers: { "retry-after": String(retryAfterSeconds), "retry-after-ms": String(retryAfterSeconds * 1000) },
  };
}

/** The guard's answer to a malformed request or a failed handler, in Azure's error shape (../guard). */
export function azureError(status: number, message: string) {
  const code = status === 500 ? "InternalServerError" : status === 400 ? "BadRequest" : String(status);
  return errorBody({ status, code, message });
}

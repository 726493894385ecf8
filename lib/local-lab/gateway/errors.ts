/**
 * APIM's own response bodies for failures raised by the gateway rather than the backend.
 * Backend responses, 5xx included, are passed through unchanged, as APIM does.
 */
import { randomUUID } from "node:crypto";
import type { ProxyError } from "../trace/entries";

export interface ApimErrorBody {
  statusCode: number;
  message: string;
  activityId?: string;
}

export const MISSING_SUBSCRIPTION_KEY =
  "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.";
export const INVALID_SUBSCRIPTION_KEY =
  "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.";

/** A failure that ends the pipeline and jumps to on-error, like APIM's `context.LastError`. */
export class GatewayFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApimErrorBody | undefined,
    readonly lastError: ProxyError,
    /** Headers the answer carries, e.g. Retry-After on a 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(lastError.message);
    this.name = "GatewayFailure";
  }
}

/**
 * APIM's general error form (`{ "statusCode": N, "message": "..." }`, see the 429 bodies
 * Microsoft documents); used for what the lab itself refuses (a malformed request). The
 * 500 carries an activity id, as APIM's does.
 */
export function apimError(status: number, message: string): ApimErrorBody {
  if (status === 500) return internalServerError(randomUUID());
  return { statusCode: status, message: status === 400 ? `Bad Request: ${message}` : message };
}

export function resourceNotFound(): ApimErrorBody {
  return { statusCode: 404, message: "Resource not found" };
}

export function internalServerError(activityId: string): ApimErrorBody {
  return { statusCode: 500, message: "Internal server error", activityId };
}

export function gatewayTimeout(activityId: string): ApimErrorBody {
  return { statusCode: 504, message: "Gateway Timeout", activityId };
}

/** Node's socket error codes in the words .NET uses for them in APIM's traces and logs. */
export function backendErrorMessage(code: string | undefined, fallback: string): string {
  switch (code) {
    case "ECONNREFUSED":
      return "No connection could be made because the target machine actively refused it.";
    case "ECONNRESET":
    case "EPIPE":
      return "Underlying transport connection was unexpectedly closed.";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "No such host is known.";
    default:
      return fallback;
  }
}

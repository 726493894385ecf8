/**
 * The lab's policy expressions, computed as APIM's .NET runtime computes them:
 *
 *   inbound:  <choose><when condition="@(context.Request.Body.As<JObject>(true)["stream"] != null
 *                 && context.Request.Body.As<JObject>(true)["stream"].Type != JTokenType.Null)">
 *               <set-variable name="isStream" value="@(... content["stream"].ToString())" />
 *   outbound: <set-header name="x-ms-stream"> @(context.Variables.GetValueOrDefault<string>("isStream","false")
 *                 .Equals("true", StringComparison.OrdinalIgnoreCase).ToString())
 *
 * Newtonsoft's `JToken.ToString()` prints a JSON boolean as `True`/`False`, and .NET's
 * `bool.ToString()` likewise, hence the capitalised header value.
 */

export const STREAM_CONDITION =
  '@(context.Request.Body.As<JObject>(true)["stream"] != null && context.Request.Body.As<JObject>(true)["stream"].Type != JTokenType.Null)';

export const STREAM_VARIABLE = "isStream";

export type StreamField =
  | { ok: true; text: string | undefined }
  /** `Body.As<JObject>` threw: APIM fails the request with ExpressionValueEvaluationFailure. */
  | { ok: false; message: string };

/**
 * The stream check's rule (the policy engine reuses it): `stream` counts only as a top-level
 * scalar, printed as `JToken.ToString()` prints it (`True`/`False`, a string as is, a number).
 * An array or object is never printed: APIM would print it as indented JSON, which can never
 * equal "true", and printing a deeply nested value costs time and memory quadratic in its depth
 * (an 8 KB array nested 4000 deep prints as 32 MB). It stands as `[Array]` or `[Object]`.
 */
export function streamText(value: unknown): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return Array.isArray(value) ? "[Array]" : "[Object]";
}

/** Reads `stream` from a JSON request body without consuming it (the body is a copy). */
export function readStreamField(body: Uint8Array): StreamField {
  // The gateway passes a Buffer: decode it in place rather than copy it first.
  const text = (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)).toString("utf8");
  if (text.trim() === "") {
    // As<JObject> on an empty body yields null; indexing it throws.
    return { ok: false, message: "Expression evaluation failed. Object reference not set to an instance of an object." };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `Expression evaluation failed. ${(e as Error).message}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: "Expression evaluation failed. Error reading JObject from JsonReader: the body is not a JSON object." };
  }
  const value = (parsed as Record<string, unknown>).stream;
  return { ok: true, text: value === undefined || value === null ? undefined : streamText(value) };
}

/** The outbound expression: `True` only when the stored text equals "true" ignoring case. */
export function xMsStream(streamText: string | undefined): "True" | "False" {
  return (streamText ?? "false").toLowerCase() === "true" ? "True" : "False";
}

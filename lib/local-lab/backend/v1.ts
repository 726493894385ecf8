/**
 * Azure OpenAI's v1 API (`/openai/v1/...`, GA since August 2025): no api-version is
 * required and the deployment is named by the body's `model`, as Microsoft's "Azure
 * OpenAI in Microsoft Foundry Models v1 API" page shows ("Replace with your model
 * deployment name"). What differs from the dated routes lives here.
 */
import { deploymentNotFound, isAzureErrorAnswer, type AzureErrorAnswer } from "./errors";
import { parseBodyObject } from "./validate";

export type V1Api = "chat" | "responses";

/**
 * `api-version` is optional on v1 ("`v1` if not otherwise specified", Azure's REST spec
 * azure-v1-v1-generated.yaml); clients send `v1` or `preview`. Others are not rejected:
 * no recording says how Azure answers them.
 */
export function v1ApiVersion(value: string | null): string {
  return value === null || value === "" ? "v1" : value;
}

/** The deployment a v1 request names: the body's `model`, a string. */
export function modelOf(bodyText: string): string | AzureErrorAnswer {
  const body = parseBodyObject(bodyText);
  if (isAzureErrorAnswer(body)) return body;
  const model = body.model;
  if (typeof model !== "string" || model === "") {
    // OpenAI's wording for a missing required parameter; the v1 API answers in OpenAI's four-field form.
    return { status: 400, code: "missing_required_parameter", message: "Missing required parameter: 'model'.", param: "model" };
  }
  return model;
}

/**
 * Unknown deployment on v1: the dated API's message in OpenAI's four-field form
 * (`message`, `type`, `param: null`, `code`), as a 2025-12 capture of
 * `/openai/v1/responses` shows (github.com/openai/codex/issues/7642).
 */
export function v1DeploymentNotFound(): AzureErrorAnswer {
  return { ...deploymentNotFound(), param: null };
}

/**
 * The operation a 429 names. Azure's throttling message names the dated API's operation
 * (`ChatCompletions_Create`); for the Responses API no 429 body was found, so the name
 * follows the same pattern (an inference, not a recording).
 */
export function operationName(api: V1Api | undefined): string {
  return api === "responses" ? "Responses_Create" : "ChatCompletions_Create";
}

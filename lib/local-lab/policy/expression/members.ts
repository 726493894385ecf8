/**
 * The names the expression subset knows (README, "Policies"), from APIM's policy
 * expression reference (context variable, IMessageBody, Newtonsoft's JToken, System.String).
 * A name outside these lists is refused when the policy loads.
 */

/** Identifiers an expression may start from. */
export const STATIC_ROOTS: ReadonlySet<string> = new Set(["context", "JTokenType", "StringComparison", "string", "String"]);

/** `context.X`. */
export const CONTEXT_MEMBERS: ReadonlySet<string> = new Set([
  "Request", "Response", "Variables", "Subscription", "Api", "Operation", "LastError", "RequestId", "Deployment",
]);

/** Properties read with `.Name` (on context parts, strings, JTokens, enums). */
export const PROPERTY_MEMBERS: ReadonlySet<string> = new Set([
  // context parts
  ...CONTEXT_MEMBERS, "Headers", "Body", "Method", "IpAddress", "Url", "Path", "Host", "Port", "Scheme", "QueryString", "Query",
  "StatusCode", "StatusReason", "Id", "Name", "Source", "Reason", "Message", "Section", "Scope", "PolicyId", "Region", "ServiceName", "GatewayId",
  // values
  "Type", "Length", "Count",
  // JTokenType
  "Null", "Object", "Array", "String", "Boolean", "Integer", "Float", "Undefined",
  // StringComparison
  "Ordinal", "OrdinalIgnoreCase", "InvariantCulture", "InvariantCultureIgnoreCase", "CurrentCulture", "CurrentCultureIgnoreCase",
]);

/** Methods called with `.Name(...)`. */
export const CALL_MEMBERS: ReadonlySet<string> = new Set([
  "GetValueOrDefault", "ContainsKey", "As", "ToString", "Equals", "Contains", "StartsWith", "EndsWith",
  "ToLower", "ToUpper", "ToLowerInvariant", "ToUpperInvariant", "Trim", "Value", "IsNullOrEmpty", "Substring",
]);

/** `As<T>()`, `GetValueOrDefault<T>()`, `Value<T>()`. */
export const GENERIC_ARGS: ReadonlySet<string> = new Set(["JObject", "JToken", "string", "bool", "int", "long", "double"]);

/** `(T)x`. */
export const CAST_TYPES: ReadonlySet<string> = new Set(["string", "bool", "int", "long", "double", "JObject", "JToken"]);

/** `T name = ...;` in a `@{...}` block. */
export const DECLARED_TYPES: ReadonlySet<string> = new Set(["var", "string", "bool", "int", "long", "double", "JObject", "JToken"]);

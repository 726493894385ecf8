/**
 * Newtonsoft's `JToken.ToString()` for the lab's expressions, with a bound. APIM would
 * print a nested value in full (indented JSON); the lab stops at TEXT_LIMIT characters
 * and ends the text with `…`, so a request whose `stream` is a megabyte of nested arrays
 * costs a few kilobytes here, never megabytes of string (README, "Policies").
 */

/** Characters of a nested value's text the lab produces at most. */
export const TEXT_LIMIT = 4096;

/** A JSON value as Newtonsoft's JToken sees it. */
export class JsonToken {
  constructor(readonly value: unknown) {}
}

/** Newtonsoft's JTokenType of a parsed JSON value. */
export function tokenType(value: unknown): string {
  if (value === null) return "Null";
  if (Array.isArray(value)) return "Array";
  if (typeof value === "object") return "Object";
  if (typeof value === "string") return "String";
  if (typeof value === "boolean") return "Boolean";
  return Number.isInteger(value) ? "Integer" : "Float";
}

/** `JToken.ToString()` / .NET `ToString()` of a scalar: booleans print as True/False. */
export function dotNetText(value: unknown, limit = TEXT_LIMIT): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value === null || value === undefined) return "";
  return indented(value, limit);
}

/** Indented JSON as Newtonsoft writes it (2 spaces, `"name": value`), cut at `limit`. */
function indented(root: unknown, limit: number): string {
  let out = "";
  const write = (value: unknown, depth: number): boolean => {
    if (out.length > limit) return false;
    if (value === null || typeof value !== "object") {
      out += typeof value === "boolean" ? String(value) : JSON.stringify(value);
      return true;
    }
    const pad = "  ".repeat(depth + 1);
    const entries: [string | undefined, unknown][] = Array.isArray(value) ? value.map((v) => [undefined, v]) : Object.entries(value as object);
    if (entries.length === 0) return (out += Array.isArray(value) ? "[]" : "{}"), true;
    out += Array.isArray(value) ? "[" : "{";
    for (let i = 0; i < entries.length; i++) {
      const [name, v] = entries[i];
      out += "\n" + pad + (name === undefined ? "" : JSON.stringify(name) + ": ");
      // Stops descending once over the limit: depth and size stay bounded by it.
      if (!write(v, depth + 1)) return false;
      if (i < entries.length - 1) out += ",";
    }
    out += "\n" + "  ".repeat(depth) + (Array.isArray(value) ? "]" : "}");
    return true;
  };
  return write(root, 0) && out.length <= limit ? out : out.slice(0, limit) + "…";
}

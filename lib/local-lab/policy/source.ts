/**
 * Policy files as APIM stores them are often not XML: in the `rawxml` form (what the
 * portal's editor shows and what the AI-Gateway labs deploy) an attribute value such as
 * `condition="@(a["stream"] != null && b < c)"` holds raw quotes, `&&` and `<`. So before
 * the XML parser sees the text, each `@(...)` and `@{...}` span is set aside and replaced
 * by a marker of the same layout (same newlines, same length where it fits), which keeps
 * the parser's line and column numbers true for everything after it.
 *
 * The escaped form (`As&lt;JObject&gt;`, `&quot;`) goes through the same path: entities
 * inside a span are decoded as it is read. (So a raw `&amp;` inside a C# string in a
 * rawxml file becomes `&`, a difference from APIM no real policy is likely to meet.)
 */

export interface SetAside {
  /** C# text without the `@(` `)` or `@{` `}`. */
  code: string;
  /** `(` for a single expression, `{` for a block with `return`. */
  kind: "(" | "{";
  /** The span as written, e.g. `@(context.Variables["x"])` (decoded). */
  text: string;
  line: number;
  column: number;
}

export interface Prepared {
  /** The document with markers in place of expressions: well-formed XML if the rest is. */
  xml: string;
  expressions: SetAside[];
}

/** Marker characters from Unicode's private use area: valid in XML, never in a policy. */
const OPEN = "\uE000";
const CLOSE = "\uE001";
export const MARKER = new RegExp(`^\\s*${OPEN}(\\d+)${CLOSE}\\s*$`);

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export class SourceError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export function lineOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: index - start + 1 };
}

/** Reads one character at `i`, decoding an entity: [char, length in the source]. */
function charAt(text: string, i: number): [string, number] {
  if (text[i] !== "&") return [text[i], 1];
  const m = /^&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/.exec(text.slice(i, i + 12));
  if (!m) return ["&", 1];
  const name = m[1];
  const decoded = name[0] === "#" ? String.fromCodePoint(name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)) : ENTITIES[name];
  return decoded === undefined ? ["&", 1] : [decoded, m[0].length];
}

/**
 * Finds the end of an expression starting at `start` (the `@`): the index after its
 * closing bracket, and its decoded text. C# strings ("...", @"...", '.') may hold brackets.
 */
function scanExpression(text: string, start: number): { end: number; decoded: string } {
  const open = text[start + 1];
  const close = open === "(" ? ")" : "}";
  let depth = 0;
  let decoded = "@";
  let i = start + 1;
  let quote: string | undefined; // inside a C# string or char literal
  let verbatim = false;
  while (i < text.length) {
    const [c, n] = charAt(text, i);
    decoded += c;
    i += n;
    if (quote !== undefined) {
      if (!verbatim && c === "\\") {
        const [next, m] = charAt(text, i);
        decoded += next;
        i += m;
      } else if (c === quote) {
        if (verbatim && charAt(text, i)[0] === quote) {
          decoded += quote;
          i += charAt(text, i)[1];
        } else quote = undefined;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      verbatim = decoded.length >= 2 && decoded[decoded.length - 2] === "@" && c === '"';
    } else if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") {
      depth--;
      if (depth === 0) {
        if (c !== close) throw new SourceError(`the expression opened with '@${open}' closes with '${c}'`, lineOf(text, start).line);
        return { end: i, decoded };
      }
    }
  }
  throw new SourceError(`the expression '@${open}' that starts here is never closed`, lineOf(text, start).line);
}

/** The marker for expression `id`, laid out like the span it replaces. */
function marker(id: number, span: string): string {
  const tag = OPEN + id + CLOSE;
  const layout = span.replace(/[^\n]/g, " ");
  const firstLine = layout.indexOf("\n") === -1 ? layout.length : layout.indexOf("\n");
  return firstLine >= tag.length ? tag + layout.slice(tag.length) : tag + layout.slice(firstLine);
}

/**
 * Sets aside every `@(...)`/`@{...}` that starts an attribute value or an element's text
 * (APIM treats a value as an expression only when it starts with one).
 */
export function setAsideExpressions(text: string): Prepared {
  const expressions: SetAside[] = [];
  let out = "";
  let copied = 0;
  let i = 0;
  const take = (at: number) => {
    const { end, decoded } = scanExpression(text, at);
    const { line, column } = lineOf(text, at);
    expressions.push({ code: decoded.slice(2, -1), kind: decoded[1] as "(" | "{", text: decoded, line, column });
    out += text.slice(copied, at) + marker(expressions.length - 1, text.slice(at, end));
    copied = end;
    return end;
  };
  while (i < text.length) {
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i);
      i = end === -1 ? text.length : end + 3;
    } else if (text.startsWith("<![CDATA[", i)) {
      const end = text.indexOf("]]>", i);
      i = end === -1 ? text.length : end + 3;
    } else if (text[i] === "<") {
      // A tag: look for attribute values that start with an expression.
      i++;
      while (i < text.length && text[i] !== ">") {
        const q = text[i];
        if ((q === '"' || q === "'") && text[i - 1] !== undefined && /[=\s]/.test(text[i - 1])) {
          i++;
          if (text[i] === "@" && (text[i + 1] === "(" || text[i + 1] === "{")) i = take(i);
          const end = text.indexOf(q, i);
          i = end === -1 ? text.length : end + 1;
        } else i++;
      }
      i++;
      // Element text that starts with an expression, after any whitespace.
      let j = i;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === "@" && (text[j + 1] === "(" || text[j + 1] === "{")) i = take(j);
    } else i++;
  }
  return { xml: out + text.slice(copied), expressions };
}

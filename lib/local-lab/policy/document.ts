/**
 * Loads a policy document once: XML with positions (./xml), every element checked
 * against the registry and its sections, every expression parsed (./expression/parse).
 * Whatever cannot run is refused here, in one line that starts `file:line:`, as a
 * compiler reports; APIM's own words for a misplaced policy follow it.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { parseXml, XmlError, type XmlElement } from "./xml";
import { MARKER, type SetAside } from "./source";
import { ExpressionError, parseExpression, type Expression } from "./expression/parse";
import { evaluate } from "./expression/evaluate";
import { moduleFor } from "./registry";
import { SECTIONS, type Compiler, type Policy, type PolicyDocument, type Section, type Value } from "./types";
import { basePolicy, globalBackend } from "./elements/base";

/** A policy file that cannot run; the message is the one line to show. */
export class PolicyLoadError extends Error {
  constructor(readonly file: string, readonly line: number, what: string) {
    super(`${file}:${line}: ${what}`);
    this.name = "PolicyLoadError";
  }
}

/** Reads and checks a policy file; errors name it as given, or relative to the current directory. */
export function loadPolicyFile(path: string): PolicyDocument {
  const inside = relative(process.cwd(), path);
  const file = isAbsolute(path) && !inside.startsWith("..") ? inside : path;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PolicyLoadError(file, 1, code === "ENOENT" ? "no such policy file" : `cannot read the policy file (${code ?? (e as Error).message})`);
  }
  return parsePolicy(text, file);
}

export function parsePolicy(text: string, file: string): PolicyDocument {
  let parsed;
  try {
    parsed = parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) throw new PolicyLoadError(file, e.line, e.message);
    throw e;
  }
  const { root, expressions } = parsed;
  const at = (el: XmlElement, why: string) => new PolicyLoadError(file, el.line, `Error in element '${el.name}' on line ${el.line}, column ${el.column}: ${why}`);
  if (root.name !== "policies") throw at(root, "the root element must be <policies>");
  const sections = { inbound: [], backend: [], outbound: [], "on-error": [] } as Record<Section, Policy[]>;
  const seen = new Set<string>();
  for (const el of root.children) {
    if (!(SECTIONS as readonly string[]).includes(el.name)) throw at(el, `<${el.name}> is not a policy section (inbound, backend, outbound, on-error)`);
    if (seen.has(el.name)) throw at(el, "a section may appear once");
    seen.add(el.name);
    const section = el.name as Section;
    sections[section] = compiler(file, section, section === "outbound" || section === "on-error" ? "response" : "request", expressions, at).policies(el.children);
  }
  return { file, sections, text };
}

function compiler(
  file: string,
  section: Section,
  target: "request" | "response",
  expressions: SetAside[],
  at: (el: XmlElement, why: string) => PolicyLoadError,
): Compiler {
  const expressionAt = (raw: string, el: XmlElement): { expression: Expression; source: string } | undefined => {
    const m = MARKER.exec(raw);
    if (!m) return undefined;
    const set = expressions[Number(m[1])];
    try {
      return { expression: parseExpression(set.code, set.kind), source: set.text };
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      // The line of the offending token: the expression's first line plus the newlines before it.
      const line = set.line + (set.code.slice(0, e.offset).match(/\n/g)?.length ?? 0);
      throw new PolicyLoadError(file, line, `Error in element '${el.name}' on line ${el.line}, column ${el.column}: unsupported policy expression: ${e.message} (in ${oneLine(set.text)})`);
    }
  };
  const toValue = (raw: string, el: XmlElement): Value => {
    const compiled = expressionAt(raw, el);
    if (compiled === undefined) return { source: raw, get: () => raw };
    const { expression, source } = compiled;
    return { source, expression, get: (ctx) => evaluate(expression, ctx) };
  };
  const c: Compiler = {
    file,
    section,
    target,
    fail: (el, why) => {
      throw at(el, why);
    },
    literal(el, name, o = {}) {
      const raw = el.attributes[name];
      if (raw === undefined) {
        if (o.required) c.fail(el, `the attribute '${name}' is required`);
        return undefined;
      }
      if (MARKER.test(raw)) c.fail(el, `the attribute '${name}' does not take policy expressions`);
      if (o.choices && !o.choices.includes(raw)) c.fail(el, `'${name}' must be ${o.choices.map((x) => `'${x}'`).join(" or ")}, got '${raw}'`);
      return raw;
    },
    integer(el, name, o = {}) {
      const raw = c.literal(el, name, o);
      if (raw === undefined) return undefined;
      if (!/^\d+$/.test(raw.trim())) c.fail(el, `'${name}' must be a whole number, got '${raw}'`);
      return Number(raw);
    },
    value(el, name, o = {}) {
      const raw = el.attributes[name];
      if (raw === undefined) {
        if (o.required) c.fail(el, `the attribute '${name}' is required`);
        return undefined;
      }
      return toValue(raw, el);
    },
    text: (el) => toValue(el.text.trim(), el),
    policies(children, childTarget = target, anySection = false) {
      const inner = childTarget === target ? c : compiler(file, section, childTarget, expressions, at);
      return children.map((child) => {
        if (child.name === "base") return section === "backend" ? globalBackend : basePolicy;
        const module = moduleFor(child.name);
        if (!module) c.fail(child, "Unknown element (it is not a policy of the lab's subset; see the README's table)");
        if (!anySection && !module.sections.includes(section)) c.fail(child, `Policy is not allowed in this section (${section}); APIM allows it in ${module.sections.join(", ")}`);
        return module.compile(child, inner);
      });
    },
  };
  return c;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 80 ? flat.slice(0, 77) + "..." : flat;
}

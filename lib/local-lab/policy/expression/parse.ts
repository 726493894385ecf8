/**
 * Policy expressions (C# 7 in APIM) parsed once, when the policy loads, into a small tree
 * that ./evaluate walks for each call: never eval, new Function or vm. The subset is what
 * the lab's policies and Microsoft's streaming guidance use (README, "Policies"); anything
 * else is refused here with what is not supported, so a policy fails at load, not mid-call.
 */
import { CALL_MEMBERS, CAST_TYPES, CONTEXT_MEMBERS, DECLARED_TYPES, GENERIC_ARGS, PROPERTY_MEMBERS, STATIC_ROOTS } from "./members";

export type Node =
  | { k: "lit"; v: string | number | boolean | null }
  | { k: "id"; name: string }
  | { k: "member"; obj: Node; name: string; safe: boolean }
  | { k: "index"; obj: Node; index: Node; safe: boolean }
  | { k: "call"; obj: Node; name: string; type?: string; args: Node[]; safe: boolean }
  | { k: "unary"; op: "!" | "-"; e: Node }
  | { k: "bin"; op: string; l: Node; r: Node }
  | { k: "cond"; c: Node; a: Node; b: Node }
  | { k: "cast"; type: string; e: Node };

export type Statement =
  | { k: "let"; name: string; e: Node }
  | { k: "return"; e: Node }
  | { k: "if"; c: Node; then: Statement[]; else: Statement[] };

export interface Expression {
  /** `@(...)` has one expression; `@{...}` a block whose paths end in `return`. */
  body: Statement[];
  /** Reads `context.Response.Body`: the whole response must be in before it runs. */
  readsResponseBody: boolean;
  readsRequestBody: boolean;
}

export class ExpressionError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

interface Token {
  t: "id" | "str" | "num" | "op" | "end";
  v: string;
  at: number;
}

const OPERATORS = ["?.", "??", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", "{", "}", ".", ",", ";", ":", "?", "!", "<", ">", "+", "-", "="];

function lex(code: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (/\s/.test(c)) i++;
    else if (code.startsWith("//", i) || code.startsWith("/*", i)) {
      const end = code[i + 1] === "/" ? code.indexOf("\n", i) : code.indexOf("*/", i) + 1;
      i = end <= 0 ? code.length : end + 1;
    } else if (c === '"' || (c === "@" && code[i + 1] === '"')) {
      const verbatim = c === "@";
      let j = i + (verbatim ? 2 : 1);
      let v = "";
      for (;;) {
        if (j >= code.length) throw new ExpressionError("a string literal is never closed", i);
        const d = code[j];
        if (d === '"' && verbatim && code[j + 1] === '"') (v += '"'), (j += 2);
        else if (d === '"') break;
        else if (d === "\\" && !verbatim) {
          const e = code[j + 1];
          const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0" };
          if (escapes[e] === undefined) throw new ExpressionError(`the escape \\${e} is not supported`, j);
          v += escapes[e];
          j += 2;
        } else (v += d), j++;
      }
      tokens.push({ t: "str", v, at: i });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(code.slice(i))!;
      tokens.push({ t: "num", v: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i))!;
      tokens.push({ t: "id", v: m[0], at: i });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => code.startsWith(o, i));
      if (!op) throw new ExpressionError(`'${c}' is not supported`, i);
      tokens.push({ t: "op", v: op, at: i });
      i += op.length;
    }
  }
  tokens.push({ t: "end", v: "", at: code.length });
  return tokens;
}

const BINARY: Record<string, number> = { "??": 1, "||": 2, "&&": 3, "==": 4, "!=": 4, "<": 5, ">": 5, "<=": 5, ">=": 5, "+": 6, "-": 6 };

export function parseExpression(code: string, kind: "(" | "{"): Expression {
  const tokens = lex(code);
  let p = 0;
  const locals = new Set<string>();
  let readsResponseBody = false;
  let readsRequestBody = false;
  const peek = (o = 0) => tokens[p + o];
  const fail = (what: string, at = peek().at): never => {
    throw new ExpressionError(what, at);
  };
  const is = (v: string, o = 0) => (peek(o).t === "op" || peek(o).t === "id") && peek(o).v === v;
  const expect = (v: string) => (is(v) ? tokens[p++] : fail(`expected '${v}' but found '${peek().v || "the end"}'`));
  const typeName = (allowed: ReadonlySet<string>) => {
    const t = peek();
    if (t.t !== "id" || !allowed.has(t.v)) fail(`the type '${t.v}' is not supported here (supported: ${[...allowed].join(", ")})`);
    p++;
    return t.v;
  };

  function primary(): Node {
    const t = peek();
    if (t.t === "str") return p++, { k: "lit", v: t.v };
    if (t.t === "num") return p++, { k: "lit", v: Number(t.v) };
    if (t.t === "op" && t.v === "(") {
      // A cast, `(string)x`, or a parenthesised expression.
      if (peek(1).t === "id" && CAST_TYPES.has(peek(1).v) && is(")", 2) && !locals.has(peek(1).v)) {
        p += 3;
        return { k: "cast", type: tokens[p - 2].v, e: unary() };
      }
      p++;
      const e = expression();
      expect(")");
      return e;
    }
    if (t.t === "id") {
      p++;
      if (t.v === "true" || t.v === "false") return { k: "lit", v: t.v === "true" };
      if (t.v === "null") return { k: "lit", v: null };
      if (!locals.has(t.v) && !STATIC_ROOTS.has(t.v)) fail(`'${t.v}' is not supported (known: context, JTokenType, StringComparison, string, and variables declared with var)`, t.at);
      return { k: "id", name: t.v };
    }
    return fail(`'${t.v || "the end"}' is not supported here`);
  }

  function postfix(): Node {
    let e = primary();
    for (;;) {
      if (is(".") || is("?.")) {
        const safe = tokens[p++].v === "?.";
        const name = peek();
        if (name.t !== "id") fail("expected a member name");
        p++;
        if (e.k === "id" && e.name === "context" && !CONTEXT_MEMBERS.has(name.v)) fail(`context.${name.v} is not supported`, name.at);
        let type: string | undefined;
        if (is("<") && peek(1).t === "id" && is(">", 2)) {
          p++;
          type = typeName(GENERIC_ARGS);
          expect(">");
        }
        if (is("(")) {
          if (!CALL_MEMBERS.has(name.v)) fail(`the method ${name.v}() is not supported`, name.at);
          p++;
          const args: Node[] = [];
          while (!is(")")) {
            // Named arguments (preserveContent: true) are taken by position.
            if (peek().t === "id" && is(":", 1)) p += 2;
            args.push(expression());
            if (!is(")")) expect(",");
          }
          p++;
          if (name.v === "As" && e.k === "member" && e.name === "Body") {
            const which = e.obj.k === "member" ? e.obj.name : "";
            if (which === "Response") readsResponseBody = true;
            else readsRequestBody = true;
          }
          e = { k: "call", obj: e, name: name.v, type, args, safe };
        } else {
          if (type !== undefined) fail(`a type argument needs a call: ${name.v}<${type}>()`, name.at);
          if (!PROPERTY_MEMBERS.has(name.v)) fail(`the member .${name.v} is not supported`, name.at);
          e = { k: "member", obj: e, name: name.v, safe };
        }
      } else if (is("[")) {
        p++;
        const index = expression();
        expect("]");
        e = { k: "index", obj: e, index, safe: false };
      } else return e;
    }
  }

  function unary(): Node {
    if (is("!")) return p++, { k: "unary", op: "!", e: unary() };
    if (is("-")) return p++, { k: "unary", op: "-", e: unary() };
    return postfix();
  }

  function binary(min: number): Node {
    let l = unary();
    for (;;) {
      const t = peek();
      const prec = t.t === "op" ? BINARY[t.v] : undefined;
      if (prec === undefined || prec < min) return l;
      p++;
      // ?? is right-associative; the rest left.
      const r = binary(t.v === "??" ? prec : prec + 1);
      l = { k: "bin", op: t.v, l, r };
    }
  }

  function expression(): Node {
    const c = binary(1);
    if (!is("?")) return c;
    p++;
    const a = expression();
    expect(":");
    return { k: "cond", c, a, b: expression() };
  }

  function statement(): Statement {
    if (is("return")) {
      p++;
      const e = expression();
      expect(";");
      return { k: "return", e };
    }
    if (is("if")) {
      p++;
      expect("(");
      const c = expression();
      expect(")");
      const then = block();
      let otherwise: Statement[] = [];
      if (is("else")) {
        p++;
        otherwise = is("if") ? [statement()] : block();
      }
      return { k: "if", c, then, else: otherwise };
    }
    if (peek().t === "id" && DECLARED_TYPES.has(peek().v) && peek(1).t === "id" && is("=", 2)) {
      const name = peek(1).v;
      p += 3;
      const e = expression();
      expect(";");
      locals.add(name);
      return { k: "let", name, e };
    }
    return fail(`the statement starting with '${peek().v || "the end"}' is not supported (supported: var/string/bool/JObject declarations, if/else, return)`);
  }

  function block(): Statement[] {
    if (!is("{")) return [statement()];
    p++;
    const list: Statement[] = [];
    while (!is("}")) list.push(statement());
    p++;
    return list;
  }

  let body: Statement[];
  if (kind === "(") {
    body = [{ k: "return", e: expression() }];
  } else {
    body = [];
    while (peek().t !== "end") body.push(statement());
    if (!endsInReturn(body)) fail("every path of a @{...} block must end with return", code.length);
  }
  if (peek().t !== "end") fail(`'${peek().v}' is not supported here`);
  return { body, readsResponseBody, readsRequestBody };
}

function endsInReturn(list: Statement[]): boolean {
  const last = list[list.length - 1];
  if (!last) return false;
  if (last.k === "return") return true;
  return last.k === "if" && endsInReturn(last.then) && endsInReturn(last.else);
}

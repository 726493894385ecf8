/**
 * The shapes every policy module shares. A module is one APIM policy element: the
 * sections APIM allows it in, and `compile`, which reads its attributes once when the
 * document loads and returns the policy that runs for each call (Hono's middleware
 * shape: options in, a handler out).
 */
import type { XmlElement } from "./xml";
import type { Expression } from "./expression/parse";
import type { PolicyContext } from "./context";

export type Section = "inbound" | "backend" | "outbound" | "on-error";

export const SECTIONS: readonly Section[] = ["inbound", "backend", "outbound", "on-error"];

/** return-response: the pipeline stops here and the response goes to the caller. */
export const STOP = "stop" as const;
export type Outcome = void | typeof STOP;

export interface Policy {
  /** The element name, which is also the trace entry's source. */
  readonly name: string;
  /** Its expressions read `context.Response.Body`: the engine buffers the response before it runs. */
  readonly readsResponseBody?: boolean;
  run(ctx: PolicyContext): Outcome | Promise<Outcome>;
}

/** An attribute or text: a literal, or an expression evaluated for each call. */
export interface Value {
  /** As written, e.g. `@(context.Variables["x"])` or `true`. */
  readonly source: string;
  readonly expression?: Expression;
  get(ctx: PolicyContext): unknown;
}

export interface Compiler {
  readonly file: string;
  readonly section: Section;
  /** What set-header, set-status and set-body change here: inside return-response, in outbound and on-error, the response. */
  readonly target: "request" | "response";
  /** A literal attribute (no expressions allowed); refused when required and absent, or not one of `choices`. */
  literal(el: XmlElement, name: string, options?: { required?: boolean; choices?: readonly string[] }): string | undefined;
  /** A whole number attribute without expressions. */
  integer(el: XmlElement, name: string, options?: { required?: boolean }): number | undefined;
  /** An attribute that may be an expression. */
  value(el: XmlElement, name: string, options?: { required?: boolean }): Value | undefined;
  /** The element's text, which may be an expression. */
  text(el: XmlElement): Value;
  /** Child policies, checked as if they stood in this section (`anySection`: return-response's children). */
  policies(children: XmlElement[], target?: "request" | "response", anySection?: boolean): Policy[];
  /** Refuses the document: `Error in element 'x' on line L, column C: why`. */
  fail(el: XmlElement, why: string): never;
}

export interface PolicyModule {
  /** Element names it handles (the llm- and azure-openai- twins share a module). */
  readonly names: readonly string[];
  /** Where APIM's reference allows it ("Usage", "Policy sections"). */
  readonly sections: readonly Section[];
  compile(el: XmlElement, c: Compiler): Policy;
}

/** A loaded policy document: the policies of each section, in order. */
export interface PolicyDocument {
  readonly file: string;
  readonly sections: Readonly<Record<Section, readonly Policy[]>>;
  /** The text as loaded, to show next to a lane in the notebook. */
  readonly text: string;
}

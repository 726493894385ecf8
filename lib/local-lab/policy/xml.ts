/**
 * A policy document's XML as a small tree of elements with their line and column.
 *
 * saxes (6.0.0, one small dependency, xmlchars) is a strict, non-validating XML parser
 * that keeps the line and column of everything it reads: malformed XML is refused with
 * its position, and each element knows where it starts, so a policy that cannot run is
 * reported as `file:line` as a compiler would. Hand-written XML parsing would need the
 * same well-formedness rules written again.
 */
import { SaxesParser } from "saxes";
import { lineOf, setAsideExpressions, SourceError, type SetAside } from "./source";

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (comments and child elements left out). */
  text: string;
  /** Where its `<` is: line from 1, column from 1 (APIM's "line L, column C"). */
  line: number;
  column: number;
}

export interface ParsedXml {
  root: XmlElement;
  /** Set aside before parsing; markers in attribute values and text point into it. */
  expressions: SetAside[];
}

export class XmlError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export function parseXml(text: string): ParsedXml {
  let prepared;
  try {
    prepared = setAsideExpressions(text);
  } catch (e) {
    if (e instanceof SourceError) throw new XmlError(`malformed policy expression: ${e.message}`, e.line);
    throw e;
  }
  const { xml, expressions } = prepared;
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlError | undefined;

  parser.on("opentag", (tag) => {
    // The parser stands after the tag's `>`: its `<` is the last one before.
    const at = lineOf(xml, xml.lastIndexOf("<", parser.position - 1));
    const element: XmlElement = { name: tag.name, attributes: tag.attributes as Record<string, string>, children: [], text: "", line: at.line, column: at.column };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const addText = (t: string) => {
    const current = stack[stack.length - 1];
    if (current) current.text += t;
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.on("error", (e) => {
    // saxes prefixes its message with the position; keep only the words.
    failure ??= new XmlError(`malformed XML: ${e.message.replace(/^\d+:\d+: /, "")}`, parser.line);
  });
  parser.write(xml);
  if (!failure) parser.close();
  if (failure) throw failure;
  if (!root) throw new XmlError("malformed XML: the document has no root element", 1);
  return { root, expressions };
}

/**
 * Token counts and token-sized pieces from a real GPT tokenizer (gpt-tokenizer ships its
 * encodings, so nothing is downloaded at run time). gpt-4o and later use o200k_base,
 * gpt-35-turbo and gpt-4 use cl100k_base.
 */
// The notebook kernel (tslab) resolves types the Node10 way, which ignores package
// "exports" and so cannot see these subpaths; at run time they load fine everywhere.
// @ts-ignore -- typed under the project's tsconfig, `any` in the kernel
import * as o200k from "gpt-tokenizer/encoding/o200k_base";
// @ts-ignore -- as above
import * as cl100k from "gpt-tokenizer/encoding/cl100k_base";

export interface Tokenizer {
  encoding: "o200k_base" | "cl100k_base";
  encode(text: string): number[];
  decode(tokens: number[]): string;
  /** Prompt tokens as the API bills them: message framing plus the assistant priming. */
  countChat(messages: Array<{ role: string; content: string; name?: string }>): number;
}

// User text may contain "<|endoftext|>" and the like; count it as text instead of throwing.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

const O200K: Tokenizer = {
  encoding: "o200k_base",
  encode: (text: string): number[] => o200k.encode(text, AS_TEXT),
  decode: (tokens: number[]): string => o200k.decode(tokens),
  countChat: (messages): number => o200k.encodeChat(messages, "gpt-4o", AS_TEXT).length,
};

const CL100K: Tokenizer = {
  encoding: "cl100k_base",
  encode: (text: string): number[] => cl100k.encode(text, AS_TEXT),
  decode: (tokens: number[]): string => cl100k.decode(tokens),
  countChat: (messages): number => cl100k.encodeChat(messages, "gpt-3.5-turbo", AS_TEXT).length,
};

/** gpt-35-turbo, gpt-4 and gpt-4-turbo are cl100k; everything newer (4o, 4.1, 5, o-series) is o200k. */
export function tokenizerFor(model: string): Tokenizer {
  const m = model.toLowerCase();
  if (/^gpt-(35|3\.5)/.test(m) || /^gpt-4(-|$)/.test(m)) return CL100K;
  return O200K;
}

/**
 * Groups tokens into the text of each SSE event, `perEvent` tokens at a time. A
 * character split across tokens (many emoji are) decodes to U+FFFD on its own, so a
 * group is extended until it decodes cleanly: every event carries whole characters.
 */
export function splitIntoEvents(tokens: number[], tokenizer: Tokenizer, perEvent: number): Array<{ text: string; tokens: number }> {
  const out: Array<{ text: string; tokens: number }> = [];
  let start = 0;
  while (start < tokens.length) {
    let end = Math.min(start + perEvent, tokens.length);
    let text = tokenizer.decode(tokens.slice(start, end));
    while (text.endsWith("\uFFFD") && end < tokens.length && end - start < perEvent + 8) {
      end++;
      text = tokenizer.decode(tokens.slice(start, end));
    }
    out.push({ text, tokens: end - start });
    start = end;
  }
  return out;
}

/**
 * Altered debug tokens: each is a different string from the token the management API
 * issued, and each would decode to the same bytes with a lenient base64 decoder. None may trace.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The last character changed to the one that differs only in bits the encoding does not use. */
function sameBytesLastChar(token: string): string {
  const last = ALPHABET.indexOf(token[token.length - 1]);
  return token.slice(0, -1) + ALPHABET[last ^ 1];
}

export function alteredTokens(token: string): { name: string; token: string }[] {
  const standard = token.replace(/-/g, "+").replace(/_/g, "/");
  return [
    { name: "a trailing '='", token: token + "=" },
    { name: "a trailing '=='", token: token + "==" },
    { name: "a trailing '!!'", token: token + "!!" },
    { name: "a different last character (same decoded bytes)", token: sameBytesLastChar(token) },
    { name: "a different last character", token: token.slice(0, -1) + (token.endsWith("A") ? "Q" : "A") },
    { name: "standard base64 (+ / and padding)", token: standard + "=" },
    { name: "padding inside, after the payload", token: token.replace(".", "=.") },
    { name: "a space inside", token: token.replace(".", ". ") },
    { name: "a second dot", token: token + ".x" },
  ];
}

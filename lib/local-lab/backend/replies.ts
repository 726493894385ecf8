/**
 * What the simulator says. Deterministic and honest: it counts when asked to count
 * (the lab's own prompt), follows the user's reply script, and otherwise says plainly
 * that no model read the question.
 */

export interface ReplyRule {
  pattern: RegExp;
  /** May use $1, $2, ... from the pattern, as in String.prototype.replace. */
  reply: string;
}

export type ReplySource = "script" | "count" | "simulated";

export interface ChatMessageText {
  role: string;
  /** Text of the message; content parts already joined. */
  content: string;
}

export const SIMULATOR_MARK = "[local lab simulator]";

/** The biggest count the simulator writes out; beyond it max_tokens would cut anyway. */
export const MAX_COUNT = 10_000;

/** The text the reply answers: the last user message (what a model would respond to). */
export function lastUserText(messages: ChatMessageText[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === "user") return messages[i].content;
  }
  return "";
}

export function chooseReply(messages: ChatMessageText[], rules: ReplyRule[] = []): { text: string; source: ReplySource } {
  const question = lastUserText(messages);
  for (const rule of rules) {
    const match = rule.pattern.exec(question);
    rule.pattern.lastIndex = 0;
    if (match) return { text: expand(rule.reply, match), source: "script" };
  }
  const counted = countingReply(question);
  if (counted !== undefined) return { text: counted, source: "count" };
  return { text: simulatedReply(question), source: "simulated" };
}

function expand(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(\d)/g, (_m, d: string) => match[Number(d)] ?? "");
}

/**
 * "Count to 100, with a comma between each number and no newlines" -> "1, 2, ..., 100".
 * Understands "count (up) to N", "count from A to B", "count down from N (to M)", and
 * a separator named in words: comma (default), space, or one per line.
 */
export function countingReply(question: string): string | undefined {
  const q = question.toLowerCase();
  let from: number;
  let to: number;
  const down = /\bcount\s+down\s+from\s+(-?\d+)(?:\s+to\s+(-?\d+))?/.exec(q);
  const range = /\bcount\s+from\s+(-?\d+)\s+(?:up\s+)?to\s+(-?\d+)/.exec(q);
  const upTo = /\bcount\s+(?:up\s+)?to\s+(-?\d+)/.exec(q);
  if (down) {
    from = Number(down[1]);
    to = down[2] === undefined ? 1 : Number(down[2]);
  } else if (range) {
    from = Number(range[1]);
    to = Number(range[2]);
  } else if (upTo) {
    from = 1;
    to = Number(upTo[1]);
  } else {
    return undefined;
  }
  const step = to >= from ? 1 : -1;
  const last = from + step * Math.min(Math.abs(to - from), MAX_COUNT - 1);
  const numbers: number[] = [];
  for (let n = from; step > 0 ? n <= last : n >= last; n += step) numbers.push(n);
  return numbers.join(separatorFor(q));
}

function separatorFor(q: string): string {
  const noNewlines = /\b(no|without)\s+(new\s*lines?|line\s*breaks?)/.test(q);
  if (!noNewlines && /(new\s*line|own\s+line|per\s+line|line\s*break)/.test(q)) return "\n";
  if (/\bcomma/.test(q)) return ", ";
  if (/\bspaces?\b/.test(q)) return " ";
  return ", ";
}

/** Long enough (~70 tokens) that the stream is visibly spread over time. */
export function simulatedReply(question: string): string {
  const oneLine = question.replace(/\s+/g, " ").trim();
  const quoted = oneLine.length > 160 ? oneLine.slice(0, 157) + "..." : oneLine;
  const asked = quoted ? `You asked: "${quoted}".` : "Your request had no user message.";
  return (
    `${SIMULATOR_MARK} ${asked} No language model read this: the local lab's Azure OpenAI ` +
    `simulator wrote this reply from a template, so it is the same on every run. What is ` +
    `real is the shape of the stream: a first token after a few hundred milliseconds, then ` +
    `a token every 20 ms or so, in Azure's own event format, so you can watch each chunk ` +
    `pass through the gateway.`
  );
}

/**
 * How big a trace may get. APIM's own traces are bounded too (a trace stops growing past its
 * size limit); the lab's limits are its own, chosen so that no request, however large or
 * nested, can make a trace, or the store of traces, grow without bound:
 *
 * - each string in an entry's data (a header value, a URL, a variable, a message) is cut to
 *   {@link MAX_TRACE_VALUE_CHARS} characters, ending in `…[cut: N chars]` with its full length;
 * - each list (headers) keeps its first {@link MAX_TRACE_LIST_ITEMS} items, then one
 *   `…[cut: N items]` string;
 * - data nested deeper than {@link MAX_TRACE_DEPTH} levels is replaced by `…[cut: nested]`.
 *
 * The store (./store) then holds at most a total number of bytes, besides a number of traces.
 */

export const MAX_TRACE_VALUE_CHARS = 4096;
export const MAX_TRACE_LIST_ITEMS = 256;
export const MAX_TRACE_DEPTH = 8;

export function cutText(text: string, max = MAX_TRACE_VALUE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[cut: ${text.length} chars]`;
}

/** A copy of `data` within the bounds above; small data (nearly all) is copied as is. */
export function boundedData(data: unknown, depth = 0): unknown {
  if (typeof data === "string") return cutText(data);
  if (typeof data !== "object" || data === null) return data;
  if (depth >= MAX_TRACE_DEPTH) return "…[cut: nested]";
  if (Array.isArray(data)) {
    const kept = data.slice(0, MAX_TRACE_LIST_ITEMS).map((item) => boundedData(item, depth + 1));
    if (data.length > MAX_TRACE_LIST_ITEMS) kept.push(`…[cut: ${data.length} items]`);
    return kept;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) out[key] = boundedData(value, depth + 1);
  return out;
}

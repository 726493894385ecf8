/**
 * Where the gateway finds the caller's subscription key, and taking it out of what is
 * forwarded. APIM reads a key from a header and from a query parameter; its defaults are
 * `Ocp-Apim-Subscription-Key` and `subscription-key` (Microsoft's "Subscriptions in Azure
 * API Management" page), and the original lab names `api-key` as the API's header, which
 * the OpenAI SDKs send. The order here, first found wins:
 *
 *   1. the `api-key` header
 *   2. the `Ocp-Apim-Subscription-Key` header
 *   3. the `subscription-key` query parameter (its first value)
 *
 * Microsoft's documentation does not say which wins when several are given; headers
 * first is the lab's choice. The headers are never forwarded (./headers); the query
 * parameter, every occurrence, is removed from the query the backend gets.
 */
import type { IncomingHttpHeaders } from "node:http";

export const SUBSCRIPTION_KEY_QUERY = "subscription-key";

export interface SubscriptionKeyRead {
  /** The key the caller presented, if any (not yet checked). */
  key: string | undefined;
  /** The query string to forward, `?` included or empty, without `subscription-key`. */
  search: string;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The key in the order above, and the query to forward without it. `search`: the raw query, `?` included or empty. */
export function takeSubscriptionKey(headers: IncomingHttpHeaders, search: string): SubscriptionKeyRead {
  const fromHeaders = first(headers["api-key"]) ?? first(headers["ocp-apim-subscription-key"]);
  // Fast path: most calls carry no such parameter, and every spelling of its name
  // (`subscription-key`, `%73ubscription-key`...) contains `subscription` or a `%`.
  if (!search.includes("subscription") && !search.includes("%")) return { key: fromHeaders, search };
  let fromQuery: string | undefined;
  const kept: string[] = [];
  for (const part of search.slice(1).split("&")) {
    const pair = new URLSearchParams(part).entries().next();
    if (!pair.done && pair.value[0] === SUBSCRIPTION_KEY_QUERY) {
      fromQuery ??= pair.value[1];
      continue;
    }
    kept.push(part);
  }
  return { key: fromHeaders ?? fromQuery, search: kept.length === 0 || (kept.length === 1 && kept[0] === "") ? "" : "?" + kept.join("&") };
}

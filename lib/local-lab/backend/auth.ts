/**
 * How Azure OpenAI takes a caller's key: the `api-key` header, else `Authorization: Bearer`.
 * The simulator and the replay backend answer alike.
 */
import type { IncomingMessage } from "node:http";
import { secretMatcher } from "../secret";

/** A check of a request's key against `apiKey`, in constant time (../secret). */
export function apiKeyCheck(apiKey: string): (req: IncomingMessage) => boolean {
  const isApiKey = secretMatcher(apiKey);
  return (req) => {
    const header = req.headers["api-key"];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    const given = typeof header === "string" ? header : bearer ? bearer[1].trim() : undefined;
    return given !== undefined && isApiKey(given);
  };
}

/**
 * Malformed requests every server of the local lab must answer (with a 4xx in its own
 * error shape) without stopping: bad request targets, bad percent-encoding, odd header
 * values, conflicting framing. Raw bytes, because an HTTP client refuses to send most.
 */

export interface Malformed {
  name: string;
  /** The request, raw. `{host}` is replaced by the server's host:port. */
  raw: string;
}

const req = (target: string, headers = "", method = "GET") => `${method} ${target} HTTP/1.1\r\nHost: {host}\r\n${headers}Connection: close\r\n\r\n`;

export const MALFORMED: readonly Malformed[] = [
  { name: "GET // with no Host (HTTP/1.0)", raw: "GET // HTTP/1.0\r\n\r\n" },
  { name: "target //", raw: req("//") },
  { name: "target //x/y", raw: req("//x/y?a=1") },
  { name: "absolute-form http://x/", raw: req("http://x/") },
  { name: "absolute-form https://evil.example/openai", raw: req("https://evil.example/openai/deployments/x/chat/completions") },
  { name: "asterisk-form *", raw: req("*", "", "OPTIONS") },
  { name: "asterisk-form with GET", raw: req("*") },
  { name: "authority-form CONNECT", raw: req("example.com:443", "", "CONNECT") },
  { name: "no leading slash", raw: req("openai/deployments") },
  { name: "bad percent-encoding %zz", raw: req("/%zz") },
  { name: "bad percent-encoding in a segment", raw: req("/openai/deployments/%E0%A4%A/chat/completions?api-version=2024-10-21", "", "POST") },
  { name: "bad percent-encoding in the query", raw: req("/x?api-version=%zz&subscription-key=%") },
  { name: "backslashes", raw: req("/\\\\evil\\x") },
  { name: "very long target (8 KB)", raw: req("/" + "a".repeat(8 * 1024)) },
  { name: "huge header value (64 KB)", raw: req("/", `X-Big: ${"b".repeat(64 * 1024)}\r\n`) },
  { name: "many headers (2000)", raw: req("/", Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join("")) },
  { name: "control byte in a header value", raw: req("/", "X-Odd: a\x01b\r\n") },
  { name: "latin1 bytes in a header value", raw: req("/", "X-Odd: caf\xe9\r\n") },
  { name: "header without a colon", raw: req("/", "NoColon\r\n") },
  { name: "space before the colon", raw: req("/", "X-Odd : v\r\n") },
  { name: "duplicate content-length, different", raw: req("/", "Content-Length: 1\r\nContent-Length: 2\r\n", "POST") + "ab" },
  { name: "duplicate content-length, same", raw: req("/", "Content-Length: 2\r\nContent-Length: 2\r\n", "POST") + "ab" },
  { name: "content-length not a number", raw: req("/", "Content-Length: abc\r\n", "POST") },
  { name: "negative content-length", raw: req("/", "Content-Length: -1\r\n", "POST") },
  { name: "content-length and transfer-encoding", raw: req("/", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "POST") + "0\r\n\r\n" },
  { name: "bad chunk size", raw: req("/", "Transfer-Encoding: chunked\r\n", "POST") + "zz\r\nab\r\n0\r\n\r\n" },
  { name: "unknown transfer-encoding", raw: req("/", "Transfer-Encoding: gzip\r\n", "POST") },
  { name: "HTTP/2.0 in the request line", raw: "GET / HTTP/2.0\r\nHost: x\r\n\r\n" },
  { name: "lower-case method", raw: req("/", "", "get") },
  { name: "unknown method", raw: req("/", "", "BREW") },
  { name: "no Host header", raw: "GET / HTTP/1.1\r\nConnection: close\r\n\r\n" },
  { name: "two Host headers", raw: req("/", "Host: other\r\n") },
  { name: "Host with odd bytes", raw: "GET / HTTP/1.1\r\nHost: a b\"<x>\r\nConnection: close\r\n\r\n" },
  { name: "garbage", raw: "\x00\x01\x02\xff garbage\r\n\r\n" },
  { name: "bare LF line ends", raw: "GET / HTTP/1.1\nHost: x\nConnection: close\n\n" },
  { name: "array-valued api-key and Authorization", raw: req("/openai/deployments/x/chat/completions?api-version=2024-10-21", "api-key: a\r\napi-key: b\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nContent-Length: 2\r\n", "POST") + "{}" },
  { name: "debug token header twice", raw: req("/openai/deployments/x/chat/completions", "Apim-Debug-Authorization: a\r\nApim-Debug-Authorization: b\r\n", "POST") },
  { name: "upgrade to websocket", raw: `GET / HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n` },
  { name: "upgrade to h2c on an API path", raw: `POST /openai/deployments/x/chat/completions HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n` },
  { name: "huge query (6 KB of parameters)", raw: req("/?" + Array.from({ length: 1000 }, (_, i) => `k${i}=v`).join("&")) },
];

/** The raw bytes for one server. */
export function rawFor(m: Malformed, hostPort: string): string {
  return m.raw.replace("{host}", hostPort);
}

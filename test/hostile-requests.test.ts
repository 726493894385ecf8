/**
 * Every server of the local lab answers every request: a list of malformed request
 * targets and headers, sent raw to the gateway, the backend and the management API,
 * each gets a 4xx in that server's error shape (none is left unanswered, none ends the
 * process), and a normal call works after them. An error inside a handler is a 500 in
 * the server's shape, logged in one line without the query string.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startLocalLab, type LocalLab } from "../lib/local-lab/index";
import { ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { createGuardedServer, originFormTarget } from "../lib/local-lab/guard";
import { listen } from "../lib/local-lab/listen";
import { MALFORMED, rawFor } from "../tools/abuse/malformed";
import { sendRaw } from "../tools/abuse/raw";

let lab: LocalLab;
before(async () => {
  lab = await startLocalLab({ timing: ZERO_LATENCY });
});
after(() => lab.close());

type Shape = (body: Record<string, any>, status: number) => void;
const SHAPES: Record<"gatewayUrl" | "backendUrl" | "managementUrl", Shape> = {
  // APIM: { "statusCode": N, "message": "..." }
  gatewayUrl: (body, status) => {
    assert.equal(body.statusCode, status);
    assert.equal(typeof body.message, "string");
  },
  // Azure OpenAI and ARM: { "error": { "code", "message" } }
  backendUrl: (body) => {
    assert.equal(typeof body.error.code, "string");
    assert.equal(typeof body.error.message, "string");
  },
  managementUrl: (body) => {
    assert.equal(typeof body.error.code, "string");
    assert.equal(typeof body.error.message, "string");
  },
};

function parse(text: string): { status: number; headers: string; body: Record<string, any> } {
  const at = text.indexOf("\r\n\r\n");
  assert.ok(at > 0, `an HTTP answer, got ${JSON.stringify(text.slice(0, 80))}`);
  return { status: Number(text.slice(9, 12)), headers: text.slice(0, at), body: JSON.parse(text.slice(at + 4)) };
}

for (const server of Object.keys(SHAPES) as (keyof typeof SHAPES)[]) {
  test(`the ${server.replace("Url", "")} answers each malformed request with a 4xx in its own error shape, then serves a normal call`, async () => {
    const url = lab[server];
    for (const m of MALFORMED) {
      const answer = await sendRaw(url, rawFor(m, new URL(url).host), 3_000);
      assert.ok(answer.status >= 400 && answer.status < 500, `${m.name}: a 4xx, got ${answer.status} ${JSON.stringify(answer.text.slice(0, 120))}`);
      const { status, headers, body } = parse(answer.text);
      SHAPES[server](body, status);
      assert.match(headers, /content-type: application\/json/i, m.name);
      if (server === "managementUrl") assert.match(headers, /x-ms-request-id: [0-9a-f-]{36}/i, m.name);
    }
    const res = await fetch(`${lab.gatewayUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
      method: "POST",
      headers: { "api-key": lab.subscriptionKey, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }] }),
    });
    assert.equal(res.status, 200);
  });
}

test("`GET //` (the request that ended the whole lab) gets the management API's 401, and the lab still runs", async () => {
  // No Host on HTTP/1.1: a 400 in ARM's shape; with Host, the path `//` reaches the handler.
  assert.equal((await sendRaw(lab.managementUrl, "GET // HTTP/1.1\r\n\r\n")).status, 400);
  const withHost = await sendRaw(lab.managementUrl, "GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.equal(withHost.status, 401);
  assert.equal(parse(withHost.text).body.error.code, "AuthenticationFailed");
  const res = await fetch(`${lab.managementUrl}/`, { headers: { authorization: `Bearer ${lab.managementToken}` } });
  assert.equal(res.status, 400);
});

test("a request target is used only in origin-form: a path, with valid percent-encoding", () => {
  assert.equal((originFormTarget("//") as URL).pathname, "//");
  assert.equal((originFormTarget("/a%20b?x=%41") as URL).search, "?x=%41");
  for (const bad of ["*", "http://x/", "example.com:443", "/%zz", "/a%4", "/a?b=%"]) assert.equal(typeof originFormTarget(bad), "string", bad);
});

test("an error inside a handler, thrown or rejected, is a 500 in the server's shape and one log line without the query", async () => {
  const lines: string[] = [];
  const shape = { body: (status: number, message: string) => ({ statusCode: status, message }) };
  const server = createGuardedServer("gateway", shape, { log: (line) => lines.push(line) }, (req) => {
    if (req.url!.startsWith("/sync")) throw new Error("sync\nboom");
    return Promise.reject(new TypeError("async boom"));
  });
  const listening = await listen(server);
  try {
    for (const path of ["/sync?subscription-key=SECRET1", "/async?subscription-key=SECRET2"]) {
      const res = await fetch(listening.url + path);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { statusCode: 500, message: "internal error in the local lab (logged on its console)." });
    }
    assert.deepEqual(lines, [
      "local lab gateway: internal error answering GET /sync: Error: sync boom",
      "local lab gateway: internal error answering GET /async: TypeError: async boom",
    ]);
  } finally {
    await listening.close();
  }
});

test("an Upgrade header (curl --http2 on http:// sends `Upgrade: h2c`) is ignored: the call is served", async () => {
  const body = JSON.stringify({ messages: [{ role: "user", content: "Count to 3." }] });
  const host = new URL(lab.gatewayUrl).host;
  const answer = await sendRaw(
    lab.gatewayUrl,
    `POST /openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21 HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade, HTTP2-Settings, close\r\n` +
      `Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\napi-key: ${lab.subscriptionKey}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
  assert.equal(answer.status, 200, answer.text.slice(0, 200));
});

test("a replaying backend answers each malformed request in Azure's error shape too", async () => {
  const replaying = await startLocalLab({ replay: "test/fixtures/recordings" });
  try {
    for (const m of MALFORMED) {
      const answer = await sendRaw(replaying.backendUrl, rawFor(m, new URL(replaying.backendUrl).host), 3_000);
      assert.ok(answer.status >= 400 && answer.status < 500, `${m.name}: a 4xx, got ${answer.status}`);
      const { status, body } = parse(answer.text);
      SHAPES.backendUrl(body, status);
    }
  } finally {
    await replaying.close();
  }
});

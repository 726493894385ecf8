/**
 * What each notebook must show under every kernel, as a short list the lab's authors
 * can adjust when a cell's wording changes. Patterns run on a cell's output text
 * (streams, text/plain and text/markdown, ANSI colours removed).
 */
import path from "node:path";
import { displays, shows, showsTogether, type Fact } from "./check";

/** notebooks/streaming.ipynb, the lab, on the local lab by default. */
export const streamingFacts: Fact[] = [
  shows("status 200 of the raw HTTP call", /status code: 200\b/),
  shows("x-ms-stream is True (headers table)", /x-ms-stream\s*[│|:]\s*True\b/),
  showsTogether("a trace id for each call (HTTP and SDK)", [/Apim-Trace-Id: [0-9a-f]{8}-[0-9a-f]{4}-/i], 2),
  showsTogether(
    "both traces, each with inbound, backend and outbound entries",
    [/\binbound \([1-9]\d* entr/, /\bbackend \([1-9]\d* entr/, /\boutbound \([1-9]\d* entr/],
    2,
  ),
  shows("the raw stream to its end", /data: \[DONE\]/),
  shows("the SDK's full reply, 1 to 100", /Full conversation received: 1, 2, 3, (\d+, )+99, 100\b/),
  shows("no secret in clear: subscription key masked", /Subscription key: \*\*\*\S{4}$/m),
  shows("the buffering comparison in one sentence", /With buffering on, the first content arrived after \d+ ms instead of \d+ ms/),
  shows("a 429 in one line, with when to retry", /RateLimitError \(HTTP 429\): .* → retry in \d+ s/),
  shows("a cut stream reported as incomplete, what arrived kept", /stream incomplete: \d+ chunks kept/),
  displays("a chart as display data (image/svg+xml)", "image/svg+xml"),
  shows(
    "the bursts step: the three filter modes measured in one sentence",
    // A replay of a fast upstream can bring a lane in one burst, without a silence.
    /Content arrived as follows\. default filter: \d+ chunks (one by one|in \d+ bursts?)( \(longest silence \d+ ms\))?; asynchronous filter: \d+ chunks (one by one|in \d+ bursts?)/,
  ),
  // Issue 17, the Responses API step (cell `responses`).
  {
    name: "the Responses step: named events with their arrival times, response.completed and no [DONE]",
    holds: (cells) =>
      cells.some(
        (c) =>
          c.id === "responses" &&
          /^\s*\d+ ms {2}created\b/m.test(c.text) &&
          /^\s*\d+ ms {2}output_text\.delta\b/m.test(c.text) &&
          /^\s*\d+ ms {2}completed\b/m.test(c.text) &&
          /^event: response\.created\ndata: \{"type":"response\.created","sequence_number":0,/m.test(c.text) &&
          !/data: \[DONE\]/.test(c.text),
      ),
  },
  showsTogether(
    "the Responses step: the SDK's reply, both APIs on one chart, the wire table, a trace with the chat call's sections",
    [
      /response\.completed seen/,
      /Full response received: 1, 2, 3, (\d+, )+99, 100\b/,
      /With Responses API \(SDK\), the first content arrived after \d+ ms instead of \d+ ms \(Chat Completions \(SDK\)\)/,
      /`event:` lines\s*│\s*0\s*│\s*[1-9]\d*/,
      /usage in\s*│\s*usage\s*│\s*response\.completed/,
      /\binbound \([1-9]\d* entr/,
      /\bbackend \([1-9]\d* entr/,
      /\boutbound \([1-9]\d* entr/,
    ],
  ),
  // What breaks streaming (issue 16): one measured sentence per policy lane, and who buffered.
  shows("what breaks streaming: the lab policy relays as it comes", /^lab policy: Relayed as it came: first content after \d+ ms, \d+ arrivals/m),
  shows("what breaks streaming: buffer-response=\"true\" sends 8 KB pieces", /^buffer-response=true: In \d+ pieces \(8 KB each but the last\)/m),
  shows("what breaks streaming: set-body reading the body, the whole body at the end, buffered by set-body", /^set-body reads body: The whole body at the end: nothing for \d+ ms, .* Buffered by set-body/m),
  shows("what breaks streaming: validate-content on the response buffers too", /^validate-content: The whole body at the end: .* Buffered by validate-content/m),
  shows("what breaks streaming: a token limit answers 429 before the stream", /^llm-token-limit: 429 after \d+ ms, before any stream, Retry-After \d+ s/m),
];

/** test/fixtures/kernels/smoke.ipynb: the runtime points, without the lab. */
export const smokeFacts: Fact[] = [
  shows("local imports and npm packages load", /runtime: (tslab|deno), in kernel: true/),
  shows("a secret is masked", /subscription key: \*\*\*cdef/),
  shows("node:http serves", /server listening: true/),
  shows("node-fetch gets status 200", /status: 200/),
  shows("x-ms-stream header read", /x-ms-stream: True/),
  shows("the body is read as it streams", /chunks: [2-9]\d*, streamed: true/),
  shows("the table package renders", /║ x-ms-stream │ True/),
  {
    name: "a burst of 200 lines arrives whole, in its own cell",
    holds: (cells) => cells.some((c) => c.id === "many-lines" && (c.text.match(/^line \d+ of 200$/gm) ?? []).length === 200),
  },
  shows("process.stdout.write reaches the notebook", /written with process\.stdout\.write/),
  shows("the last cell's value", /closed after \d+ chunks/),
  displays("markdown as display data", "text/markdown"),
  displays("SVG as display data", "image/svg+xml"),
];

/** The facts for a notebook, by file name; unknown notebooks get only the per-cell checks. */
export function factsFor(notebookPath: string): Fact[] {
  switch (path.basename(notebookPath)) {
    case "streaming.ipynb":
      return streamingFacts;
    case "smoke.ipynb":
      return smokeFacts;
    default:
      return [];
  }
}

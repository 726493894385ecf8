/**
 * `npm run lab`: the local lab in the foreground until Ctrl+C (or SIGTERM).
 * `npm run lab -- --json` prints one JSON line with everything a client needs, then serves.
 */
import { resolve } from "node:path";
import { startLocalLab, type LocalLabOptions } from "../lib/local-lab/index";
import { CONTENT_FILTER_MODES, DEFAULT_CONTENT_FILTER, DEFAULT_DEPLOYMENTS, ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { parseFault } from "../lib/local-lab/backend/faults";
import { ListenError } from "../lib/local-lab/listen";
import { integer, oneOf, runCommand, UsageError } from "../tools/cli";
import { PolicyLoadError } from "../lib/local-lab/policy/document";

const USAGE = `usage: npm run lab -- [--json] [--gateway-port N] [--management-port N] [--backend-port N]
       [--latency default|none] [--first-token-ms N] [--token-ms N] [--buffer-response]
       [--deployment-name NAME] [--region NAME] [--fault SPEC] [--content-filter default|asynchronous|none]
       [--upstream URL [--upstream-kind azure|openai] [--record DIR]] [--replay DIR [--replay-speed N]]
       [--policy FILE]
  --content-filter MODE  how the simulated deployment's content filter streams: default (text held
                 and released in bursts, as a new Azure deployment), asynchronous (token by token,
                 annotations later) or none; a request's x-lab-content-filter header replaces it
  --policy FILE  the main API's APIM policy document instead of policies/openai.xml, e.g.
                 policies/variants/buffer-response-true.xml (README, "Policies")
  --fault SPEC   inject a fault into every call, e.g. "429", "drop-after=20" (grammar: x-lab-fault header)
  --upstream URL a real model behind the gateway instead of the simulator: an Azure OpenAI resource
                 (--upstream-kind azure) or an OpenAI-compatible base URL such as http://localhost:11434/v1
                 (--upstream-kind openai, the default); its key, if any, from LAB_UPSTREAM_API_KEY
  --record DIR   with --upstream: write each call's exchange to DIR, one JSON Lines file per call, secrets removed
  --replay DIR   answer from the recordings in DIR instead of the simulator, with their timing
                 (--replay-speed 2: twice as fast); README, "Recording and replaying a real stream"
  Ports: 0 (the default) picks a free one. Every flag also takes the form --flag=value.`;

const command = {
  run: "npm run lab",
  usage: USAGE,
  options: {
    json: { type: "boolean" },
    "buffer-response": { type: "boolean" },
    "gateway-port": { type: "string" },
    "management-port": { type: "string" },
    "backend-port": { type: "string" },
    latency: { type: "string" },
    "first-token-ms": { type: "string" },
    "token-ms": { type: "string" },
    "deployment-name": { type: "string" },
    region: { type: "string" },
    fault: { type: "string" },
    "content-filter": { type: "string" },
    upstream: { type: "string" },
    "upstream-kind": { type: "string" },
    record: { type: "string" },
    replay: { type: "string" },
    "replay-speed": { type: "string" },
    policy: { type: "string" },
  },
} as const;

type Values = Partial<Record<keyof typeof command.options, string | boolean>>;

/** The flags as startLocalLab's options; a bad value is a UsageError. */
function labOptions(values: Values): LocalLabOptions {
  const text = (name: keyof Values) => values[name] as string | undefined;
  const port = (name: "gateway-port" | "management-port" | "backend-port") => (text(name) === undefined ? undefined : integer(name, text(name)!, 0, 65535));
  const timing: NonNullable<LocalLabOptions["timing"]> = {};
  if (text("latency") !== undefined && oneOf("latency", text("latency")!, ["default", "none"]) === "none") Object.assign(timing, ZERO_LATENCY);
  if (text("first-token-ms") !== undefined) timing.firstTokenMs = integer("first-token-ms", text("first-token-ms")!, 0, 600_000);
  if (text("token-ms") !== undefined) timing.tokenMs = integer("token-ms", text("token-ms")!, 0, 60_000);
  const fault = text("fault");
  if (fault !== undefined) {
    try {
      parseFault(fault);
    } catch (e) {
      throw new UsageError(`--fault: ${(e as Error).message}`);
    }
  }
  const url = text("upstream");
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--upstream must be an http(s) URL, got '${url}'`);
  const kind = text("upstream-kind") === undefined ? undefined : oneOf("upstream-kind", text("upstream-kind")!, ["azure", "openai"]);
  if (kind && url === undefined) throw new UsageError("--upstream-kind needs --upstream URL");
  const record = text("record");
  if (record !== undefined && url === undefined) throw new UsageError("--record needs --upstream URL: it records a real endpoint's answers");
  const replay = text("replay");
  if (replay !== undefined && url !== undefined) throw new UsageError("--replay answers from recordings: leave out --upstream");
  const speedText = text("replay-speed");
  if (speedText !== undefined && replay === undefined) throw new UsageError("--replay-speed needs --replay DIR");
  const replaySpeed = speedText === undefined ? undefined : Number(speedText);
  if (replaySpeed !== undefined && !(replaySpeed > 0 && replaySpeed <= 1000)) throw new UsageError(`--replay-speed must be a number above 0 (2 plays twice as fast), got '${speedText}'`);
  const options: LocalLabOptions = {
    gatewayPort: port("gateway-port"),
    managementPort: port("management-port"),
    backendPort: port("backend-port"),
    bufferResponse: values["buffer-response"] === true || undefined,
    deploymentName: text("deployment-name"),
    region: text("region"),
    fault,
    contentFilter: text("content-filter") === undefined ? undefined : oneOf("content-filter", text("content-filter")!, CONTENT_FILTER_MODES),
    policy: text("policy"),
    timing: Object.keys(timing).length > 0 ? timing : undefined,
    upstream: url === undefined ? undefined : { kind: kind ?? "openai", url, apiKey: process.env.LAB_UPSTREAM_API_KEY || undefined },
    record,
    replay,
    replaySpeed,
  };
  // Only what was given: an option present as undefined would hide a default spread under it.
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** A port in use names the server and this command's flag for it. */
function started(error: unknown): never {
  // A policy that cannot run: its one line (file:line: what) and exit code 2, like a bad flag.
  if (error instanceof PolicyLoadError) throw new UsageError(error.message);
  if (!(error instanceof ListenError)) throw error;
  const flag = `--${error.option.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}`;
  throw new Error(`the ${error.label} could not listen on ${error.address}: ${error.reason}: choose another ${flag}, or ${flag} 0 for a free one`);
}

runCommand(command, async ({ values }) => {
  const options = labOptions(values);
  const lab = await startLocalLab(options).catch(started);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    lab.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  // The lab's secrets are printed here on purpose, and only here: reaching the lab is what they are for.
  if (values.json) {
    const { gatewayUrl, managementUrl, subscriptionId, resourceGroup, deploymentName, apimServiceId, apiId, subscriptionKey, managementToken } = lab;
    process.stdout.write(JSON.stringify({ gatewayUrl, managementUrl, subscriptionId, resourceGroup, deploymentName, apimServiceId, apiId, subscriptionKey, managementToken }) + "\n");
    return;
  }
  const model = DEFAULT_DEPLOYMENTS[0]?.name ?? "gpt-4o-mini";
  process.stdout.write(
    [
      "Local lab running on 127.0.0.1 (Ctrl+C to stop)",
      `  gateway           ${lab.gatewayUrl}   (buffered API: ${lab.gatewayUrl}/buffered)`,
      `  management        ${lab.managementUrl}`,
      `  subscription key  ${lab.subscriptionKey}`,
      `  management token  ${lab.managementToken}`,
      `  apimServiceId     ${lab.apimServiceId}`,
      `  apiId             ${lab.apiId}`,
      `  deployments       ${DEFAULT_DEPLOYMENTS.map((d) => d.name).join(", ")}`,
      `  content filter    ${options.contentFilter ?? DEFAULT_CONTENT_FILTER} (a request's x-lab-content-filter header replaces it)`,
      ...(options.policy ? [`  policy            ${options.policy} (the main API; /buffered keeps policies/openai-buffered.xml)`] : []),
      ...(options.fault ? [`  faults            ${options.fault} (every call; a request's x-lab-fault header replaces it)`] : []),
      ...(options.record ? [`  recording to      ${resolve(options.record)} (one file per call)`] : []),
      ...(options.replay ? [`  replaying         ${resolve(options.replay)}${options.replaySpeed ? ` at ${options.replaySpeed}× speed` : ""} (the recorded deployments and prompts only)`] : []),
      "",
      "Stream a reply through the gateway:",
      `  curl -N "${lab.gatewayUrl}/openai/deployments/${model}/chat/completions?api-version=2024-10-21" \\`,
      `    -H "api-key: ${lab.subscriptionKey}" -H "content-type: application/json" \\`,
      `    -d '{"messages":[{"role":"user","content":"Count to 20, with a comma between each number."}],"stream":true}'`,
      "",
      "Get a debug token (then send it as Apim-Debug-Authorization):",
      `  curl -X POST "${lab.managementUrl}${lab.apimServiceId}/gateways/managed/listDebugCredentials?api-version=2023-05-01-preview" \\`,
      `    -H "Authorization: Bearer ${lab.managementToken}" -H "content-type: application/json" \\`,
      `    -d '{"credentialsExpireAfter":"PT1H","apiId":"${lab.apiId}","purposes":["tracing"]}'`,
      "",
    ].join("\n"),
  );
});

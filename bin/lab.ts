/**
 * `npm run lab`: the local lab in the foreground until Ctrl+C (or SIGTERM).
 * `npm run lab -- --json` prints one JSON line with everything a client needs, then serves.
 */
import { startLocalLab, type LocalLabOptions } from "../lib/local-lab/index";
import { DEFAULT_DEPLOYMENTS, ZERO_LATENCY } from "../lib/local-lab/backend/index";
import { parseFault } from "../lib/local-lab/backend/faults";

const USAGE = `usage: npm run lab -- [--json] [--gateway-port N] [--management-port N] [--backend-port N]
       [--latency default|none] [--first-token-ms N] [--token-ms N] [--buffer-response]
       [--deployment-name NAME] [--region NAME] [--fault SPEC] [--upstream URL [--upstream-kind azure|openai]]
  --fault SPEC   inject a fault into every call, e.g. "429", "drop-after=20" (grammar: x-lab-fault header)
  --upstream URL a real model behind the gateway instead of the simulator: an Azure OpenAI resource
                 (--upstream-kind azure) or an OpenAI-compatible base URL such as http://localhost:11434/v1
                 (--upstream-kind openai, the default); its key, if any, from LAB_UPSTREAM_API_KEY`;

interface LabArgs {
  json: boolean;
  help: boolean;
  options: LocalLabOptions;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): LabArgs {
  const out: LabArgs = { json: false, help: false, options: {} };
  const timing: NonNullable<LocalLabOptions["timing"]> = {};
  let upstreamKind: "azure" | "openai" | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const int = (min: number, max: number): number => {
      const text = value();
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${text}'`);
      return n;
    };
    switch (flag) {
      case "--json": out.json = true; break;
      case "--help": case "-h": out.help = true; break;
      case "--buffer-response": out.options.bufferResponse = true; break;
      case "--gateway-port": out.options.gatewayPort = int(0, 65535); break;
      case "--management-port": out.options.managementPort = int(0, 65535); break;
      case "--backend-port": out.options.backendPort = int(0, 65535); break;
      case "--first-token-ms": timing.firstTokenMs = int(0, 600_000); break;
      case "--token-ms": timing.tokenMs = int(0, 60_000); break;
      case "--deployment-name": out.options.deploymentName = value(); break;
      case "--region": out.options.region = value(); break;
      case "--fault": {
        const spec = value();
        try {
          parseFault(spec);
        } catch (e) {
          throw new UsageError(`--fault: ${(e as Error).message}`);
        }
        out.options.fault = spec;
        break;
      }
      case "--upstream": {
        const url = value();
        if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--upstream must be an http(s) URL, got '${url}'`);
        out.options.upstream = { kind: out.options.upstream?.kind ?? "openai", url, apiKey: process.env.LAB_UPSTREAM_API_KEY || undefined };
        break;
      }
      case "--upstream-kind": {
        const kind = value();
        if (kind !== "azure" && kind !== "openai") throw new UsageError(`--upstream-kind must be 'azure' or 'openai', got '${kind}'`);
        upstreamKind = kind;
        break;
      }
      case "--latency": {
        const v = value();
        if (v === "none") Object.assign(timing, ZERO_LATENCY);
        else if (v !== "default") throw new UsageError(`--latency must be 'default' or 'none', got '${v}'`);
        break;
      }
      default:
        throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  if (Object.keys(timing).length > 0) out.options.timing = timing;
  if (upstreamKind && !out.options.upstream) throw new UsageError("--upstream-kind needs --upstream URL");
  if (upstreamKind && out.options.upstream) out.options.upstream.kind = upstreamKind;
  return out;
}

async function main(): Promise<void> {
  let args: LabArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`lab: ${e.message} (npm run lab -- --help)\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const lab = await startLocalLab(args.options);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    lab.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  // The lab's secrets are printed here on purpose, and only here: reaching the lab is what they are for.
  if (args.json) {
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
      ...(args.options.fault ? [`  faults            ${args.options.fault} (every call; a request's x-lab-fault header replaces it)`] : []),
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
}

main().catch((e) => {
  process.stderr.write(`lab: ${(e as Error).message}\n`);
  process.exit(1);
});

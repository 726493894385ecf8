/**
 * `npm start`: runs the lab notebook headless, on the local lab unless told
 * otherwise, and writes the executed notebook to out/streaming.ipynb.
 *
 *   npm start -- --target azure --deployment-name my-lab [--resource-group rg] ...
 */
import { relative } from "node:path";
import { closeSharedLocalLab } from "../lib/connect";
import { LabError } from "../lib/errors";
import { loadSettings, SETTING_NAMES, type Settings } from "../lib/settings";
import { runNotebook } from "./notebook-runner";

const USAGE = `usage: npm start -- [--notebook notebooks/streaming.ipynb] [--out out/streaming.ipynb] ${SETTING_NAMES.map((n) => `[--${kebab(n)} value]`).join(" ")}`;

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

class UsageError extends LabError {}

export function parseArgs(argv: string[]): { notebook: string; out: string; parameters: Partial<Record<keyof Settings, string>> } {
  const byFlag = new Map<string, keyof Settings>(SETTING_NAMES.map((n) => [`--${kebab(n)}`, n]));
  const result = { notebook: "notebooks/streaming.ipynb", out: "out/streaming.ipynb", parameters: {} as Partial<Record<keyof Settings, string>> };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (flag === "--help" || flag === "-h") throw new UsageError(USAGE);
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value: ${USAGE}`);
    if (flag === "--notebook") result.notebook = value;
    else if (flag === "--out") result.out = value;
    else if (byFlag.has(flag)) result.parameters[byFlag.get(flag)!] = value;
    else throw new UsageError(`unknown option ${flag}: ${USAGE}`);
  }
  return result;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
    loadSettings(args.parameters); // bad settings stop here, in one line, before anything starts
  } catch (error) {
    console.error(`✖ ${(error as Error).message}`);
    return 2;
  }
  const result = await runNotebook({
    notebookPath: args.notebook,
    outPath: args.out,
    parameters: args.parameters as Record<string, string>,
    cleanup: closeSharedLocalLab,
  });
  const total = result.steps.reduce((sum, step) => sum + step.seconds, 0);
  const failed = result.steps.find((step) => !step.ok);
  console.log(`\nExecuted notebook: ${relative(process.cwd(), result.outPath)}`);
  for (const file of result.files) console.log(`Chart: ${relative(process.cwd(), file)}`);
  if (failed) {
    console.error(`✖ Step "${failed.title}" failed: ${failed.error}`);
    return 1;
  }
  console.log(`✔ ${result.steps.length} steps in ${total.toFixed(1)} s`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`✖ ${(error as Error).message}`);
      process.exit(1);
    },
  );
}

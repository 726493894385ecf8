/**
 * `npm start`: runs the lab notebook headless, on the local lab unless told
 * otherwise, and writes the executed notebook to out/streaming.ipynb.
 *
 *   npm start -- --target azure --deployment-name my-lab [--resource-group rg] ...
 */
import { relative } from "node:path";
import { closeSharedLocalLab } from "../lib/connect";
import { loadSettings, SETTING_NAMES, type Settings } from "../lib/settings";
import { runCommand, UsageError } from "../tools/cli";
import { runNotebook } from "../tools/notebook/runner";

/** A setting's flag: `deploymentName` is `--deployment-name`. */
const flagOf = (name: keyof Settings) => name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

const command = {
  run: "npm start",
  usage: [
    "usage: npm start -- [--notebook notebooks/streaming.ipynb] [--out out/streaming.ipynb] [--<setting> value]...",
    `  settings: ${SETTING_NAMES.map((n) => `--${flagOf(n)}`).join(", ")}`,
    "  (README, \"Running against Azure\"). Every flag also takes the form --flag=value.",
  ].join("\n"),
  options: {
    notebook: { type: "string" as const, default: "notebooks/streaming.ipynb" },
    out: { type: "string" as const, default: "out/streaming.ipynb" },
    ...Object.fromEntries(SETTING_NAMES.map((name) => [flagOf(name), { type: "string" as const }])),
  },
};

runCommand(command, async ({ values }) => {
  const given: Record<string, unknown> = values;
  const parameters: Partial<Record<keyof Settings, string>> = {};
  for (const name of SETTING_NAMES) {
    const value = given[flagOf(name)];
    if (typeof value === "string") parameters[name] = value;
  }
  try {
    loadSettings(parameters); // bad settings stop here, in one line, before anything starts
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const result = await runNotebook({
    notebookPath: values.notebook,
    outPath: values.out,
    parameters: parameters as Record<string, string>,
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
});

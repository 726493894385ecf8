/**
 * `npm run bench`: what the local gateway adds to a streamed call. The same seeded
 * streamed requests go straight to the backend and through the gateway, one after the
 * other, at several concurrencies, with zero simulated latency and with the default timing
 * model; backend, gateway and load client in three processes (tools/bench/). Writes a
 * table to stdout and everything to out/bench.json; the targets are printed beside the figures.
 */
import { integer, oneOf, runCommand, UsageError } from "../tools/cli";
import { runBench } from "../tools/bench/run";
import { CELL_NAMES, scenarios } from "../tools/bench/scenarios";

const command = {
  run: "npm run bench",
  usage: [
    "usage: npm run bench -- [--quick] [--profile] [--client http|fetch] [--only CELL,...] [--tokens-per-event N]",
    "  --quick               a short run (~30 s) of the same six cells",
    "  --profile             also a CPU profile of the backend and the gateway (out/bench-profile/)",
    "  --client              the load client: node:http (default) or fetch",
    `  --only                a subset of the cells: ${CELL_NAMES.join(", ")}`,
    "  --tokens-per-event N  N tokens in each content event, as Azure's content filter releases text in bursts (default 1)",
    "  Every flag also takes the form --flag=value.",
  ].join("\n"),
  options: {
    quick: { type: "boolean" },
    profile: { type: "boolean" },
    client: { type: "string", default: "http" },
    only: { type: "string" },
    "tokens-per-event": { type: "string", default: "1" },
  },
} as const;

runCommand(command, async ({ values }) => {
  const quick = values.quick === true;
  // Checked here: a bad value would fail every request with a 400.
  const tokensPerEvent = integer("tokens-per-event", values["tokens-per-event"], 1);
  const only = values.only?.split(",").map((name) => name.trim());
  const unknown = only?.filter((name) => !CELL_NAMES.includes(name)) ?? [];
  if (unknown.length > 0) throw new UsageError(`--only: no cell ${unknown.join(", ")}; the cells are ${CELL_NAMES.join(", ")}`);
  await runBench({
    scenarios: scenarios(quick, tokensPerEvent, only),
    quick,
    client: oneOf("client", values.client, ["http", "fetch"]),
    tokensPerEvent,
    profile: values.profile === true,
  });
  return 0;
});

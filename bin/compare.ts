/**
 * `npm run compare -- DIR`: each recording in DIR (or one recording file) beside the
 * simulator's stream for the same request (tools/compare.ts).
 */
import { compareRecordings } from "../tools/compare";
import { runCommand, UsageError } from "../tools/cli";

const command = {
  run: "npm run compare",
  usage: `usage: npm run compare -- [--help] DIR
  DIR  a folder of recordings (npm run lab -- --upstream URL --record DIR), or one recording file
  Prints, for each recording, a table beside the simulator's stream for the same request:
  time to headers and first content, reads, events, bursts, silences, the end; then the
  fields and headers found on one side only.`,
  options: {},
  allowPositionals: true,
};

runCommand(command, async ({ positionals }) => {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "give the folder of recordings to compare" : "give one folder (or file) of recordings");
  process.stdout.write(await compareRecordings(positionals[0]));
  return 0;
});

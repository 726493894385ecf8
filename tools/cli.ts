/**
 * What every command of the lab does with its flags: `util.parseArgs` reads them (both
 * `--flag value` and `--flag=value`), `--help` prints the usage, and a mistake ends the
 * command with one line that says what to do, and exit code 2, before anything starts.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in a command's flags; its message is the line the user sees. */
export class UsageError extends Error {}

export interface CommandSpec<O extends NonNullable<ParseArgsConfig["options"]>> {
  /** How the user runs it, e.g. `npm run lab`; its errors start with the last word (`lab: ...`). */
  run: string;
  /** Printed by `--help`. */
  usage: string;
  options: O;
  /** Whether bare arguments (a notebook's path) are taken. */
  allowPositionals?: boolean;
}

const HELP = { help: { type: "boolean", short: "h" } } as const;

type Parsed<O extends NonNullable<ParseArgsConfig["options"]>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: boolean; strict: true }>
>;

/** `argv` read against the spec's options; a mistake is a UsageError in the user's words. */
export function parseFlags<O extends NonNullable<ParseArgsConfig["options"]>>(spec: CommandSpec<O>, argv: string[]): Parsed<O> {
  try {
    return parseArgs({ args: argv, options: { ...spec.options, ...HELP }, allowPositionals: spec.allowPositionals ?? false, strict: true }) as Parsed<O>;
  } catch (error) {
    throw new UsageError(explain(error as Error & { code?: string }));
  }
}

/** Node's parseArgs messages run over several lines and suggest `--`: one line instead. */
function explain(error: Error & { code?: string }): string {
  const flag = /'(-[^' ]*)/.exec(error.message)?.[1] ?? "an option";
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${/'([^']*)'/.exec(error.message)?.[1] ?? ""}': every value goes after its --option`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(error.message)) return `${flag} takes no value`;
      if (/ambiguous/.test(error.message)) return `${flag} needs a value (one that starts with '-' goes as ${flag}=VALUE)`;
      return `${flag} needs a value`;
    default:
      return error.message.split("\n")[0];
  }
}

/** A whole number in [min, max] from a flag's text. */
export function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`--${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `a whole number from ${min} up` : `a whole number from ${min} to ${max}`}, got '${text}'`);
  }
  return n;
}

/** One of a few words. */
export function oneOf<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`--${flag} must be ${choices.map((c) => `'${c}'`).join(" or ")}, got '${text}'`);
  return text as T;
}

/**
 * Runs a command: its flags first (`--help` prints the usage and stops), then `main`.
 * A UsageError, from the flags or from `main`'s own checks, prints one line and exits
 * with 2; any other failure prints `name: message` and exits with 1. A number that
 * `main` returns is the exit code; without one the process lives on (a server).
 */
export function runCommand<O extends NonNullable<ParseArgsConfig["options"]>>(
  spec: CommandSpec<O>,
  main: (flags: Parsed<O>) => Promise<number | void> | number | void,
  argv: string[] = process.argv.slice(2),
): void {
  const name = spec.run.split(" ").pop();
  const fail = (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}; see ${spec.run} -- --help\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  };
  let flags: Parsed<O>;
  try {
    flags = parseFlags(spec, argv);
  } catch (error) {
    return fail(error);
  }
  if ((flags.values as { help?: boolean }).help) {
    process.stdout.write(spec.usage.trimEnd() + "\n");
    return;
  }
  Promise.resolve()
    .then(() => main(flags))
    .then((code) => {
      if (typeof code === "number") process.exit(code);
    }, fail);
}

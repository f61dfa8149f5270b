import { TunixError, formatIssues, isTunixError, type ErrorCode } from "../errors.js";
import { LIBRARY_VERSION } from "../internal/version.js";
import { GLOBAL_OPTIONS, flag, helpText, parseCommandArgs, type OptionSpec } from "./args.js";
import { COMMANDS } from "./commands/index.js";
import { CommandContext, type Command } from "./context.js";
import type { CliIo } from "./io.js";

/** Exit codes: 0 success, 1 failure, 2 bad input (usage, invalid data or options), 130 interrupted. */
export const EXIT = { ok: 0, failure: 1, badInput: 2, interrupted: 130 } as const;

// Errors caused by what the user passed in (arguments, files, data), as opposed to failures while running.
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "INVALID_ARGUMENT",
  "TRACE_INVALID",
  "TEMPLATE_ERROR",
  "CONTROL_TOKEN_IN_CONTENT",
  "JSONL_INVALID",
  "FILTER_INVALID",
  "NOT_FOUND",
  "UNSAFE_NAME",
  "DATASET_INVALID",
  "MANIFEST_INVALID",
  "MANIFEST_CHECKSUM_MISMATCH",
  "MANIFEST_EXISTS",
  "CHECKPOINT_INCOMPATIBLE",
  "TRAIN_CONFIG_INVALID",
  "TRAIN_NO_DATA",
  "EVAL_SET_INVALID",
]);

/** Exit code for a thrown value. */
export function exitCodeFor(error: unknown): number {
  if (isTunixError(error)) {
    if (error.code === "ABORTED") return EXIT.interrupted;
    return BAD_INPUT.has(error.code) ? EXIT.badInput : EXIT.failure;
  }
  return EXIT.failure;
}

function mainHelp(): string {
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return [
    "tunix-rt — reasoning-trace SFT for small Gemma-style models",
    "",
    "Usage: tunix-rt <command> [options]",
    "",
    "Commands:",
    ...rows,
    "",
    "Every command takes --help, --json (one JSON document on stdout) and --quiet.",
    "Exit codes: 0 ok, 1 failure, 2 bad input, 130 interrupted.",
    "Start with: tunix-rt demo --quick",
    "",
  ].join("\n");
}

function reportError(io: CliIo, command: string, json: boolean, error: unknown): number {
  const code = exitCodeFor(error);
  if (json) {
    const body = isTunixError(error)
      ? error.toJSON()
      : { name: "Error", code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
    io.stdout.write(`${JSON.stringify({ error: body })}\n`);
  }
  if (isTunixError(error)) {
    const head = error.issues.length > 0 ? error.message.split("\n")[0] : error.message;
    io.stderr.write(`tunix-rt ${command}: error [${error.code}]: ${head}\n`);
    if (error.issues.length > 0) io.stderr.write(`${formatIssues(error.issues.slice(0, 50))}\n`);
    if (error.issues.length > 50) io.stderr.write(`… and ${error.issues.length - 50} more\n`);
  } else {
    io.stderr.write(`tunix-rt ${command}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  return code;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code. Never calls
 * `process.exit`; `main.ts` does.
 *
 * @param argv - arguments, e.g. `["generate", "--count", "10"]`.
 * @param io - the host streams, working directory, environment and abort signal.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const target = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(target ? commandHelp(target) : mainHelp());
    return EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`${LIBRARY_VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const json = rest.includes("--json");
  if (!command) {
    return reportError(io, name, json, new TunixError("INVALID_ARGUMENT", `unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(", ")})`));
  }
  const spec: OptionSpec = { ...command.options, ...GLOBAL_OPTIONS };
  let ctx: CommandContext | undefined;
  try {
    const args = parseCommandArgs(command.name, rest, spec, command.maxPositionals);
    if (flag(args, "help")) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    ctx = new CommandContext(io, command.name, flag(args, "json"), flag(args, "quiet"));
    await command.run(ctx, args);
    return EXIT.ok;
  } catch (e) {
    return reportError(io, command.name, json, e);
  } finally {
    await ctx?.close();
  }
}

/** Help text of one command. */
export function commandHelp(command: Command): string {
  return helpText(command.name, command.usage, command.summary, { ...command.options, ...GLOBAL_OPTIONS }, command.details);
}

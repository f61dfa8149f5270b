import { parseArgs, type ParseArgsConfig } from "node:util";
import { TunixError } from "../errors.js";

/** Option declarations in `node:util` parseArgs form, plus a help line per option. */
export type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean; help: string; placeholder?: string; default?: string }
>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: "boolean", help: "print one JSON document on stdout (for scripts)" },
  quiet: { type: "boolean", short: "q", help: "no progress output" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

/** The store option of commands that use a trace store. */
export const STORE_OPTION: OptionSpec = {
  store: {
    type: "string",
    placeholder: "URI",
    help: "trace store: sqlite:<path> | file:<dir> | postgres://… | memory: (default sqlite:./tunix-rt.db)",
  },
};

/** Parsed command line of one command. */
export interface ParsedArgs {
  /** Option values by name. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Positional arguments. */
  positionals: string[];
}

/** A usage error: exit code 2. */
export function usageError(command: string, message: string): TunixError {
  return new TunixError("INVALID_ARGUMENT", `${message} (see: tunix-rt ${command} --help)`, { details: { usage: true } });
}

/** Parses `argv` against a command's options (strict: unknown options are usage errors). */
export function parseCommandArgs(command: string, argv: readonly string[], spec: OptionSpec, maxPositionals: number): ParsedArgs {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, o] of Object.entries(spec)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw usageError(command, (e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  if (parsed.positionals.length > maxPositionals && !parsed.values.help) {
    throw usageError(command, `unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`);
  }
  return { values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals };
}

/** Reads a string option. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

/** Reads a boolean option. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Reads an integer option within bounds. */
export function int(command: string, args: ParsedArgs, name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw usageError(command, `--${name} must be an integer, got ${JSON.stringify(v)}`);
  if (bounds.min !== undefined && n < bounds.min) throw usageError(command, `--${name} must be >= ${bounds.min}, got ${n}`);
  if (bounds.max !== undefined && n > bounds.max) throw usageError(command, `--${name} must be <= ${bounds.max}, got ${n}`);
  return n;
}

/** Reads a finite number option within bounds. */
export function num(command: string, args: ParsedArgs, name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw usageError(command, `--${name} must be a number, got ${JSON.stringify(v)}`);
  if (bounds.min !== undefined && n < bounds.min) throw usageError(command, `--${name} must be >= ${bounds.min}, got ${n}`);
  if (bounds.max !== undefined && n > bounds.max) throw usageError(command, `--${name} must be <= ${bounds.max}, got ${n}`);
  return n;
}

/** Reads an option restricted to a set of values. */
export function oneOf<T extends string>(command: string, args: ParsedArgs, name: string, allowed: readonly T[]): T | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw usageError(command, `--${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Reads a JSON option (object or array). */
export function jsonValue(command: string, args: ParsedArgs, name: string): unknown {
  const v = str(args, name);
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw usageError(command, `--${name} must be JSON: ${(e as Error).message}`);
  }
}

/** Parses `a=1,b=2` into a record of numbers. */
export function keyNumbers(command: string, name: string, text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(",")) {
    const m = /^\s*([\w-]+)\s*=\s*([0-9.eE+-]+)\s*$/.exec(part);
    if (!m || !Number.isFinite(Number(m[2]))) throw usageError(command, `--${name} must look like name=number,name=number; bad part ${JSON.stringify(part)}`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Renders a command's help text. */
export function helpText(name: string, usage: string, summary: string, spec: OptionSpec, details = ""): string {
  const rows = Object.entries(spec).map(([k, o]) => {
    const left = `${o.short ? `-${o.short}, ` : "    "}--${k}${o.type === "string" ? ` <${o.placeholder ?? "value"}>` : ""}`;
    return `  ${left.padEnd(30)} ${o.help}${o.default !== undefined ? ` (default ${o.default})` : ""}`;
  });
  return `${summary}\n\nUsage: tunix-rt ${name} ${usage}\n\nOptions:\n${rows.join("\n")}\n${details ? `\n${details}\n` : ""}`;
}

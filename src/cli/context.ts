import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TunixError } from "../errors.js";
import { openStore, type TraceStore } from "../storage/index.js";
import type { OptionSpec, ParsedArgs } from "./args.js";
import type { CliIo } from "./io.js";
import { Output } from "./output.js";

/** Default store URI of every command: an embedded SQLite file in the working directory. */
export const DEFAULT_STORE_URI = "sqlite:./tunix-rt.db";

/** One CLI subcommand. */
export interface Command {
  /** Subcommand name. */
  name: string;
  /** One-line description. */
  summary: string;
  /** Usage after the name, e.g. `<file.jsonl>... [options]`. */
  usage: string;
  /** Command-specific options (global ones are added). */
  options: OptionSpec;
  /** Most positional arguments accepted. */
  maxPositionals: number;
  /** Extra help text (examples). */
  details?: string;
  /** Runs the command; throws TunixError on failure. */
  run(ctx: CommandContext, args: ParsedArgs): Promise<void>;
}

/** What a running command gets: output, paths, the store. */
export class CommandContext {
  /** Output helper (human / JSON / progress). */
  readonly out: Output;
  private stores: TraceStore[] = [];

  /**
   * @param io - the host.
   * @param command - the running command's name (for messages).
   * @param json - `--json`.
   * @param quiet - `--quiet`.
   */
  constructor(
    readonly io: CliIo,
    readonly command: string,
    json: boolean,
    quiet: boolean,
  ) {
    this.out = new Output(io, json, quiet);
  }

  /** Resolves a user path against the working directory. */
  path(p: string): string {
    return isAbsolute(p) ? p : resolve(this.io.cwd, p);
  }

  /** Resolves a store URI's relative path (`sqlite:./x.db`, `file:dir`) against the working directory. */
  storeUri(uri: string | undefined): string {
    const u = uri ?? DEFAULT_STORE_URI;
    for (const scheme of ["sqlite:", "file:"]) {
      if (u.startsWith(scheme)) {
        const rest = u.slice(scheme.length);
        if (rest === "" || rest === ":memory:" || rest.startsWith("//")) return u;
        return `${scheme}${this.path(rest)}`;
      }
    }
    return u;
  }

  /** Opens a store (closed when the command ends). */
  async openStore(uri: string | undefined): Promise<TraceStore> {
    const store = await openStore(this.storeUri(uri));
    this.stores.push(store);
    return store;
  }

  /** Closes every store this command opened. */
  async close(): Promise<void> {
    for (const s of this.stores.splice(0)) await s.close().catch(() => undefined);
  }
}

/**
 * Path of a shipped eval set (`evalsets/<name>.jsonl` in the package), or of a user file when `nameOrPath`
 * is a path. Names: `arithmetic-v1`, `reasoning-v1`.
 */
export function evalSetPath(ctx: CommandContext, nameOrPath: string): string {
  if (/^[a-z0-9-]+$/.test(nameOrPath) && !existsSync(ctx.path(nameOrPath))) {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let up = 0; up < 5; up++) {
      const candidate = join(dir, "evalsets", `${nameOrPath}.jsonl`);
      if (existsSync(candidate)) return candidate;
      dir = dirname(dir);
    }
    throw new TunixError("NOT_FOUND", `no shipped eval set named ${JSON.stringify(nameOrPath)} (shipped: arithmetic-v1, reasoning-v1)`);
  }
  return ctx.path(nameOrPath);
}

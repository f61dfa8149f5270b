/**
 * Finds a worker entry script at run time, relative to the calling module, so worker_threads work from
 * the TypeScript sources (vitest, tsx: e.g. `src/train/parallel/worker-entry.ts` through a tsx
 * bootstrap) and from the built package (tsup emits e.g. `dist/train/parallel-worker.js`; the caller may
 * sit in `dist/`, in a subfolder or in a shared chunk, so a few locations are tried).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TunixError } from "../errors.js";

/** How to start the worker: a file path, or (for TypeScript sources) a bootstrap script to `eval`. */
export interface WorkerScript {
  /** Absolute path of the entry file, or the bootstrap source when `evalCode` is true. */
  readonly path: string;
  /** True when `path` is code that registers tsx and then imports the `.ts` entry. */
  readonly evalCode: boolean;
}

/**
 * Running from `.ts` sources (vitest, tsx): a worker does not inherit the parent's loader hooks and
 * Node 20 ignores `--import` in worker `execArgv`, so a small CommonJS bootstrap registers tsx's ESM
 * hooks first, then imports the entry.
 */
function tsBootstrap(entry: string): WorkerScript {
  const req = createRequire(import.meta.url);
  let api: string;
  try {
    // The ESM build of the API (the CJS one resolves its own chunks wrongly from an eval worker).
    api = pathToFileURL(req.resolve("tsx/esm/api").replace(/index\.cjs$/, "index.mjs")).href;
  } catch (cause) {
    throw new TunixError("DRIVER_MISSING", "workers: running from TypeScript sources needs the tsx package", { cause });
  }
  const code =
    `(async () => {` +
    ` const { register } = await import(${JSON.stringify(api)}); register();` +
    ` await import(${JSON.stringify(pathToFileURL(entry).href)});` +
    ` })().catch((e) => { setImmediate(() => { throw e; }); });`;
  return { path: code, evalCode: true };
}

/** Where an entry lives in the sources and in the build. */
export interface WorkerEntry {
  /** What the worker is, for the error message (e.g. "replica", "sqlite writer"). */
  readonly what: string;
  /** The `.ts` entry next to the calling module in the sources (e.g. "worker-entry.ts"). */
  readonly source: string;
  /** The built entry relative to `dist/` (e.g. "train/parallel-worker.js"). */
  readonly built: string;
}

/**
 * Resolves a worker entry script.
 *
 * @param callerUrl - `import.meta.url` of the module that starts the worker (tsup's shims provide it in
 *   the CJS build too).
 * @param entry - the entry's names.
 * @param override - an explicit path (e.g. for bundlers that relocate files).
 */
export function resolveWorkerScript(callerUrl: string, entry: WorkerEntry, override?: string): WorkerScript {
  const dir = dirname(fileURLToPath(callerUrl));
  const base = entry.built.split("/").pop()!;
  const candidates = override
    ? [override]
    : [
        join(dir, entry.source),
        join(dir, entry.source.replace(/\.ts$/, ".js")),
        join(dir, entry.built),
        join(dir, base),
        join(dir, "..", entry.built),
        join(dir, "..", base),
        join(dir, "..", "..", entry.built),
      ];
  for (const path of candidates) {
    if (existsSync(path)) return path.endsWith(".ts") ? tsBootstrap(path) : { path, evalCode: false };
  }
  throw new TunixError("BACKEND_ERROR", `workers: ${entry.what} entry script not found (tried ${candidates.join(", ")})`);
}

/** Options with an argument of their own in `process.execArgv` that only make sense for the main script. */
const MAIN_ONLY_WITH_VALUE = new Set(["-e", "--eval", "-p", "--print", "--input-type"]);

/**
 * The parent's `execArgv` for a worker: everything (heap limits, loaders, conditions...) except what
 * only applies to the main script (`--input-type`, `-e`/`--eval`/`-p`/`--print` and their code), which
 * a worker started from a file rejects (e.g. `node --input-type=module -e ...` would make every worker
 * fail with "--input-type can only be used with string input").
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--input-type=")) continue;
    if (MAIN_ONLY_WITH_VALUE.has(a)) {
      i++; // its value (the code, or the input type)
      continue;
    }
    if (/^(--eval|--print)=/.test(a)) continue;
    out.push(a);
  }
  return out;
}


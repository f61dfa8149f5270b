/**
 * Finds the replica entry script at run time, relative to this module, so the pool works from the
 * TypeScript sources (vitest, tsx: `src/train/parallel/worker-entry.ts` through a tsx bootstrap) and
 * from the built package (tsup emits `dist/train/parallel-worker.js`; this module may sit in `dist/` or
 * in a shared chunk, so a few locations are tried).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TunixError } from "../../errors.js";

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

function hereDir(): string {
  // tsup's `shims` provides import.meta.url in the CJS build as well.
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * Resolves the worker entry script.
 *
 * @param override - an explicit path (e.g. for bundlers that relocate files).
 */
export function resolveWorkerScript(override?: string): WorkerScript {
  const dir = hereDir();
  const candidates = override
    ? [override]
    : [
        join(dir, "worker-entry.ts"),
        join(dir, "worker-entry.js"),
        join(dir, "train", "parallel-worker.js"),
        join(dir, "parallel-worker.js"),
        join(dir, "..", "train", "parallel-worker.js"),
        join(dir, "..", "parallel-worker.js"),
      ];
  for (const path of candidates) {
    if (existsSync(path)) return path.endsWith(".ts") ? tsBootstrap(path) : { path, evalCode: false };
  }
  throw new TunixError("BACKEND_ERROR", `workers: replica entry script not found (tried ${candidates.join(", ")})`);
}

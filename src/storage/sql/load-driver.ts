/**
 * Lazy loading of optional native clients with a `DRIVER_MISSING` error that names the package.
 */
import { TunixError } from "../../errors.js";
import { parseMetaPath } from "../filter.js";

/**
 * Imports an optional driver package, or throws `DRIVER_MISSING` naming what to install.
 *
 * @param name - the npm package.
 * @param why - which adapter needs it.
 */
export async function loadDriver<T>(name: string, why: string): Promise<T> {
  try {
    const mod = (await import(name)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new TunixError("DRIVER_MISSING", `${why} needs the "${name}" package: npm install ${name}`, { cause: e, details: { package: name } });
    }
    throw new TunixError("DRIVER_MISSING", `${why}: loading "${name}" failed (${(e as Error).message}); reinstall it (npm install ${name})`, {
      cause: e,
      details: { package: name },
    });
  }
}

/** Table and schema names are inlined into SQL, so they are restricted to plain identifiers. */
export function checkIdentifier(what: string, name: unknown): string {
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,47}$/.test(name)) {
    throw new TunixError("INVALID_ARGUMENT", `${what}: must be letters, digits or "_" (not starting with a digit, max 48), got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Meta paths to index: validated dot paths. */
export function checkIndexPaths(paths: unknown): string[][] {
  if (paths === undefined) return [];
  if (!Array.isArray(paths)) throw new TunixError("INVALID_ARGUMENT", "indexes: must be an array of meta paths like \"category\" or \"a.b\"");
  return paths.map((p, i) => {
    const parts = parseMetaPath(p);
    if (parts === undefined) {
      throw new TunixError("INVALID_ARGUMENT", `indexes[${i}]: not a meta path: ${JSON.stringify(p)}`);
    }
    return parts;
  });
}

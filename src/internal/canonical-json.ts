import stableStringify from "fast-json-stable-stringify";
import { TunixError } from "../errors.js";

/**
 * Canonical JSON: object keys sorted, no whitespace. Used for hashes and fingerprints, so the same value
 * gives the same bytes on any machine. Throws FINGERPRINT_UNHASHABLE on values JSON cannot represent
 * faithfully (functions, symbols, bigint, non-finite numbers, class instances such as Date); the error
 * names the path and has it in `details.path`.
 */
export function canonicalJson(value: unknown): string {
  assertPlainData(value, []);
  return stableStringify(value);
}

function assertPlainData(value: unknown, path: (string | number)[]): void {
  const fail = (what: string): never => {
    throw new TunixError("FINGERPRINT_UNHASHABLE", `Cannot hash ${what} at ${path.join(".") || "(root)"}`, { details: { path: [...path], what } });
  };
  if (value === null || value === undefined) return;
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) fail(`non-finite number ${value}`);
      return;
    case "object": {
      if (Array.isArray(value)) {
        value.forEach((v, i) => assertPlainData(v, [...path, i]));
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) fail(`an instance of ${proto?.constructor?.name ?? "?"}`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) assertPlainData(v, [...path, k]);
      return;
    }
    default:
      fail(`a ${typeof value}`);
  }
}

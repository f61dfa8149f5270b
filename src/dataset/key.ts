import { TunixError } from "../errors.js";
import { unsafeKeyReason } from "../manifest/index.js";

/**
 * Checks that `key` is safe to use as a dataset key / file name (ASCII letters, digits, `.`, `_`, `-`,
 * starting with a letter or digit, no `..`, at most 128 characters).
 *
 * @param key - the candidate key.
 * @param what - what the key is, for the message (default "dataset key").
 * @returns the key unchanged.
 * @throws TunixError `UNSAFE_NAME` naming the key and the rule it breaks.
 */
export function assertSafeKey(key: unknown, what = "dataset key"): string {
  if (typeof key !== "string") {
    throw new TunixError("UNSAFE_NAME", `${what} must be a string, got ${key === null ? "null" : typeof key}`);
  }
  const reason = unsafeKeyReason(key);
  if (reason !== undefined) {
    throw new TunixError("UNSAFE_NAME", `${what} ${JSON.stringify(key.length > 140 ? `${key.slice(0, 140)}…` : key)}: ${reason}`, {
      details: { key },
    });
  }
  return key;
}

/**
 * The dataset key `name-version` (the Python tunix-rt convention), validated.
 *
 * @param name - dataset name.
 * @param version - dataset version.
 * @throws TunixError `UNSAFE_NAME` when the name, the version or the combined key is unsafe.
 */
export function datasetKey(name: string, version: string): string {
  assertSafeKey(name, "dataset name");
  assertSafeKey(version, "dataset version");
  return assertSafeKey(`${name}-${version}`);
}

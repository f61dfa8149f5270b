import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** `../shared/reference` beside the project root; tests that need it skip loudly when it is absent. */
export const REFERENCE_DIR = resolve(__dirname, "../../../shared/reference");

/** True when the shared reference folder is present (always in CI). */
export const hasReference = existsSync(REFERENCE_DIR);

if (!hasReference) {
  const msg = `\n!!! ../shared/reference not found at ${REFERENCE_DIR}: reference-data tests are SKIPPED !!!\n`;
  if (process.env.CI) throw new Error(msg + "CI must have shared/reference.");
  console.warn(msg);
}

/** Path of a file inside the reference folder. */
export function referencePath(...parts: string[]): string {
  return join(REFERENCE_DIR, ...parts);
}

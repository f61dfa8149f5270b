import { canonicalJson } from "../internal/canonical-json.js";
import { sha256Hex } from "../internal/hash.js";

/**
 * Stable, human-diffable JSON: keys sorted by UTF-16 code unit order (as fast-json-stable-stringify sorts
 * them), two-space indentation, `undefined` properties left out, trailing newline. Identical values give
 * identical bytes on every machine. Throws FINGERPRINT_UNHASHABLE on values JSON cannot represent.
 *
 * @param value - plain JSON data.
 */
export function stableJson(value: unknown): string {
  canonicalJson(value); // validates plain data (no NaN, functions, class instances)
  return `${write(value, "")}\n`;
}

function write(value: unknown, indent: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + (v === undefined ? "null" : write(v, inner))).join(",\n")}\n${indent}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${write(record[k], inner)}`).join(",\n")}\n${indent}}`;
}

/**
 * The `checksum` a manifest carries: `sha256:` + sha256 of its canonical JSON with `checksum` removed.
 *
 * @param manifest - any manifest object.
 */
export function manifestChecksum(manifest: Record<string, unknown>): string {
  const { checksum: _ignored, ...rest } = manifest;
  return `sha256:${sha256Hex(canonicalJson(rest))}`;
}

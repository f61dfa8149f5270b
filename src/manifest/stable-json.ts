import { createHash } from "node:crypto";
import { TunixError } from "../errors.js";
import { canonicalJson } from "../internal/canonical-json.js";

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
  return `sha256:${canonicalSha256(rest)}`;
}

/**
 * sha256 of `canonicalJson(value)` (fast-json-stable-stringify's output) computed piecewise, without
 * building the string: a manifest of 1M traces would otherwise need a ~110 MB temporary string.
 * Throws FINGERPRINT_UNHASHABLE on values canonicalJson refuses.
 *
 * @param value - plain JSON data.
 */
export function canonicalSha256(value: unknown): string {
  const hash = createHash("sha256");
  let buf = "";
  const emit = (s: string): void => {
    buf += s;
    if (buf.length > 65536) {
      hash.update(buf);
      buf = "";
    }
  };
  const fail = (what: string): never => {
    throw new TunixError("FINGERPRINT_UNHASHABLE", `Cannot hash ${what}`);
  };
  const walk = (v: unknown): void => {
    if (v === null) return emit("null");
    switch (typeof v) {
      case "string":
        return emit(JSON.stringify(v));
      case "boolean":
        return emit(v ? "true" : "false");
      case "number":
        if (!Number.isFinite(v)) fail(`non-finite number ${v}`);
        return emit(String(v));
      case "object": {
        if (Array.isArray(v)) {
          emit("[");
          for (let i = 0; i < v.length; i++) {
            if (i > 0) emit(",");
            if (v[i] === undefined) emit("null");
            else walk(v[i]);
          }
          return emit("]");
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) fail(`an instance of ${proto?.constructor?.name ?? "?"}`);
        const rec = v as Record<string, unknown>;
        emit("{");
        let first = true;
        for (const k of Object.keys(rec).sort()) {
          if (rec[k] === undefined) continue;
          emit(`${first ? "" : ","}${JSON.stringify(k)}:`);
          first = false;
          walk(rec[k]);
        }
        return emit("}");
      }
      default:
        fail(`a ${typeof v}`);
    }
  };
  walk(value);
  hash.update(buf);
  return hash.digest("hex");
}

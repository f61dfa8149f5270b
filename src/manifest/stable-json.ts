import { createHash } from "node:crypto";
import { TunixError } from "../errors.js";
import { PackedStrings } from "./packed-strings.js";

function unhashable(what: string): never {
  throw new TunixError("FINGERPRINT_UNHASHABLE", `Cannot hash ${what}`);
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) unhashable(`non-finite number ${value}`);
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    default:
      return value === null || value === undefined ? "null" : unhashable(`a ${typeof value}`);
  }
}

/**
 * {@link stableJson}'s text in pieces of about 64 KiB — strings, and UTF-8 bytes for {@link PackedStrings}
 * lists — so a manifest of a million traces can be written and hashed without building one 100+ MB string.
 *
 * @param value - plain JSON data ({@link PackedStrings} lists count as arrays of strings).
 * @param reuse - byte chunks may reuse one buffer (see PackedStrings.jsonChunks): only for a consumer
 *   that is done with each chunk before asking for the next.
 */
export function* stableJsonChunks(value: unknown, reuse = false): Generator<string | Buffer> {
  let buf = "";
  function* walk(v: unknown, indent: string): Generator<string | Buffer> {
    if (v === null || typeof v !== "object") {
      buf += scalar(v);
    } else {
      const inner = `${indent}  `;
      if (v instanceof PackedStrings && v.length > 0) {
        buf += `[\n${inner}`;
        yield buf;
        buf = "";
        yield* v.jsonChunks(`,\n${inner}`, reuse);
        buf = `\n${indent}]`;
      } else if (Array.isArray(v) || v instanceof PackedStrings) {
        if (v.length === 0) buf += "[]";
        else {
          buf += "[\n";
          for (let i = 0; i < v.length; i++) {
            buf += inner;
            yield* walk(v.at(i), inner);
            buf += i + 1 < v.length ? ",\n" : `\n${indent}]`;
            if (buf.length > 65536) {
              yield buf;
              buf = "";
            }
          }
        }
      } else {
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) unhashable(`an instance of ${proto?.constructor?.name ?? "?"}`);
        const record = v as Record<string, unknown>;
        const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
        if (keys.length === 0) buf += "{}";
        else {
          buf += "{\n";
          for (let i = 0; i < keys.length; i++) {
            buf += `${inner}${JSON.stringify(keys[i])}: `;
            yield* walk(record[keys[i]!], inner);
            buf += i + 1 < keys.length ? ",\n" : `\n${indent}}`;
          }
        }
      }
    }
  }
  yield* walk(value, "");
  yield `${buf}\n`;
}

/**
 * Stable, human-diffable JSON: keys sorted by UTF-16 code unit order (as fast-json-stable-stringify sorts
 * them), two-space indentation, `undefined` properties left out, trailing newline. Identical values give
 * identical bytes on every machine. Throws FINGERPRINT_UNHASHABLE on values JSON cannot represent.
 *
 * @param value - plain JSON data ({@link PackedStrings} lists count as arrays of strings).
 */
export function stableJson(value: unknown): string {
  let out = "";
  for (const chunk of stableJsonChunks(value)) out += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return out;
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
 * @param value - plain JSON data ({@link PackedStrings} lists count as arrays of strings).
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
        if (v instanceof PackedStrings) {
          hash.update(`${buf}[`);
          buf = "";
          for (const chunk of v.jsonChunks(",", true)) hash.update(chunk);
          return emit("]");
        }
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

import { z } from "zod";

/** Longest accepted dataset / run / evaluation key, in characters. */
export const MAX_KEY_CHARS = 128;

/**
 * Characters allowed in a key that becomes a file name: ASCII letters, digits, `.`, `_`, `-`; it must start
 * with a letter or digit (so no `.`/`..`, no hidden files, no leading `-` that a CLI would read as a flag).
 */
export const SAFE_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A lowercase hex sha256 digest (64 characters). */
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex sha256 (64 characters)");

/** An ISO-8601 timestamp (with offset or `Z`), as Python's `datetime.isoformat()` writes it. */
export const TimestampSchema = z.iso.datetime({ offset: true, local: false });

/** Any JSON object (free-form records such as `config`, `metrics`, `provenance`). */
export const JsonRecordSchema = z.record(z.string(), z.json());

/**
 * Why `key` is not a safe key, or undefined when it is. Shared by {@link SafeKeySchema} and the dataset
 * key validator so both give the same reasons.
 *
 * @param key - candidate key.
 */
export function unsafeKeyReason(key: string): string | undefined {
  if (key.length === 0) return "must not be empty";
  if (key.length > MAX_KEY_CHARS) return `too long: ${key.length} characters (max ${MAX_KEY_CHARS})`;
  if (key.includes("/") || key.includes("\\")) return "must not contain path separators";
  if (key.includes("..")) return "must not contain '..'";
  if (!SAFE_KEY_PATTERN.test(key)) {
    return "may only contain ASCII letters, digits, '.', '_' and '-', and must start with a letter or digit";
  }
  return undefined;
}

/** A key that is safe to use as a file name (see {@link SAFE_KEY_PATTERN}, {@link MAX_KEY_CHARS}). */
export const SafeKeySchema = z.string().superRefine((key, ctx) => {
  const reason = unsafeKeyReason(key);
  if (reason !== undefined) ctx.addIssue({ code: "custom", message: reason, input: key });
});

import { TunixError } from "../errors.js";

const COLUMN_NAMES = [
  "ones",
  "tens",
  "hundreds",
  "thousands",
  "ten-thousands",
  "hundred-thousands",
  "millions",
  "ten-millions",
  "hundred-millions",
  "billions",
  "ten-billions",
  "hundred-billions",
];

/** Name of decimal column `k` (0 = ones). Beyond the named ones: `10^k`. */
export function columnName(k: number): string {
  return COLUMN_NAMES[k] ?? `10^${k}`;
}

/** Digits of a decimal string, least significant first, padded with zeros to `width`. */
export function digitsLsbFirst(n: string, width: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < width; k++) {
    const ch = n[n.length - 1 - k];
    out.push(ch === undefined ? 0 : ch.charCodeAt(0) - 48);
  }
  return out;
}

/** Strips leading zeros ("007" → "7", "000" → "0"). */
export function stripZeros(n: string): string {
  const s = n.replace(/^0+/, "");
  return s === "" ? "0" : s;
}

/**
 * Validates an operand (a non-negative safe integer, or a string of decimal digits) and returns its
 * canonical decimal string.
 */
export function operandString(value: number | bigint | string, name: string): string {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TunixError("INVALID_ARGUMENT", `${name} must be a non-negative safe integer, got ${value}`);
    }
    return String(value);
  }
  if (typeof value === "bigint") {
    if (value < 0n) throw new TunixError("INVALID_ARGUMENT", `${name} must be non-negative, got ${value}`);
    return value.toString();
  }
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return stripZeros(value);
  throw new TunixError("INVALID_ARGUMENT", `${name} must be a non-negative integer or a string of digits, got ${JSON.stringify(value)}`);
}

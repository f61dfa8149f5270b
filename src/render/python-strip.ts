import { TunixError } from "../errors.js";

/**
 * The characters Python's `str.isspace()` accepts (Python 3; verified against CPython with
 * `[c for c in range(0x110000) if chr(c).isspace()]`). All lie in the Basic Multilingual Plane.
 *
 * JavaScript's `String.prototype.trim()` differs on four points: it does not strip U+001C–U+001F
 * (the information separators) or U+0085 (NEXT LINE), which Python strips, and it strips U+FEFF
 * (ZERO WIDTH NO-BREAK SPACE / BOM), which Python keeps.
 */
export const PYTHON_WHITESPACE: readonly string[] = [
  "\t", "\n", "\v", "\f", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x85", "\xa0", "\u1680",
  "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009",
  "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
];

const SPACE_CODES = new Set(PYTHON_WHITESPACE.map((c) => c.charCodeAt(0)));

/** True when the UTF-16 unit at `index` is a Python whitespace character. */
function isSpaceAt(s: string, index: number): boolean {
  const c = s.charCodeAt(index);
  return c <= 0x20 || c >= 0x7f ? SPACE_CODES.has(c) : false; // printable ASCII (the usual case) is never space
}

function requireString(s: unknown, fn: string): asserts s is string {
  if (typeof s !== "string") {
    throw new TunixError("INVALID_ARGUMENT", `${fn} expects a string, got ${s === null ? "null" : typeof s}`);
  }
}

/**
 * Python `str.strip()` with no arguments: removes leading and trailing characters for which
 * `str.isspace()` is true. This is what Jinja2's `trim` filter does, so the Gemma chat templates trim
 * message content this way (not with JavaScript's `trim()`; see {@link PYTHON_WHITESPACE}).
 *
 * @param s - the string to strip.
 * @returns `s` without leading and trailing Python whitespace.
 * @throws TunixError `INVALID_ARGUMENT` when `s` is not a string.
 */
export function pythonStrip(s: string): string {
  requireString(s, "pythonStrip");
  let start = 0;
  let end = s.length;
  while (start < end && isSpaceAt(s, start)) start++;
  while (end > start && isSpaceAt(s, end - 1)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Python `str.lstrip()` with no arguments (internal helper of the parsers). */
export function pythonLstrip(s: string): string {
  let start = 0;
  while (start < s.length && isSpaceAt(s, start)) start++;
  return start === 0 ? s : s.slice(start);
}

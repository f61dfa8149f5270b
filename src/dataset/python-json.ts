import { TunixError } from "../errors.js";

/**
 * A number that must be written as a Python float (`1.0`, not `1`). JavaScript has one number type, so
 * {@link pythonJsonDumps} cannot know that an integer-valued number was a float in Python; wrap it.
 */
export class PyFloat {
  /** @param value - the number. */
  constructor(readonly value: number) {}
}

/**
 * Marks a number as a Python float for {@link pythonJsonDumps}.
 *
 * @param value - the number.
 */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** Options of {@link pythonJsonDumps}. */
export interface PythonJsonOptions {
  /** Python `sort_keys` (default false: insertion order). Sorted by code point, as Python sorts `str`. */
  sortKeys?: boolean;
  /** Python `ensure_ascii` (default true): every non-ASCII character as `\uXXXX` (surrogate pairs above U+FFFF). */
  ensureAscii?: boolean;
}

const HEX = "0123456789abcdef";

function escapeNonAscii(json: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c < 0x7f) continue;
    out += json.slice(last, i) + "\\u" + HEX[(c >> 12) & 15]! + HEX[(c >> 8) & 15]! + HEX[(c >> 4) & 15]! + HEX[c & 15]!;
    last = i + 1;
  }
  return last === 0 ? json : out + json.slice(last);
}

/**
 * Python's `float.__repr__` (`repr(0.1)` = `0.1`, `repr(1.0)` = `1.0`, `repr(1e16)` = `1e+16`,
 * `repr(1e-05)` = `1e-05`): the shortest round-trip digits (which JavaScript computes identically), laid out
 * in fixed notation when the decimal exponent is in [-4, 16), else in exponent notation with at least two
 * exponent digits. NaN and infinities as Python's json writes them.
 *
 * @param x - the number.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e") as [string, string];
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const exp = Number(expText);
  let body: string;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) body = `0.${"0".repeat(-exp - 1)}${digits}`;
    else if (digits.length <= exp + 1) body = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
    else body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return neg ? `-${body}` : body;
}

function numberRepr(x: number): string {
  // Python's json.loads reads a literal without '.'/'e' as int. JSON.stringify writes integers below 1e21
  // that way, so exactly those are ints on the Python side; everything else is a float.
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  return pythonFloatRepr(x);
}

function compareCodePoints(a: string, b: string): number {
  // Python sorts str by code point; JS `<` compares UTF-16 units, which misorders U+E000..U+FFFF vs astral.
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/**
 * Serializes like Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators,
 * `ensure_ascii=True` (non-ASCII and U+007F as lowercase `\uXXXX`, characters above U+FFFF as surrogate
 * pairs), keys in insertion order, NaN/Infinity as Python writes them. Numbers follow this rule:
 * `pythonJsonDumps(v) === json.dumps(json.loads(JSON.stringify(v)))`, i.e. integer-valued numbers below
 * 1e21 are ints and the rest are floats in Python `repr` form; wrap a number in {@link pyFloat} to force
 * `1.0`.
 *
 * What JavaScript cannot reproduce: (1) int vs float — JSON `1.0` parses to the JS number 1, so a float
 * that happened to be integral prints as `1` unless wrapped; (2) Python ints beyond 2^53 lose precision
 * when parsed into JS numbers; (3) key order — JS objects list integer-like keys (`"0"`, `"42"`) first
 * in numeric order, whatever the insertion order, so use `sortKeys` or avoid such keys when byte equality
 * with Python matters.
 *
 * @param value - JSON-like data (objects, arrays, strings, numbers, booleans, null, {@link PyFloat}).
 * @param options - `sortKeys`, `ensureAscii`.
 * @throws TunixError `INVALID_ARGUMENT` for values Python's json cannot write (functions, bigint, symbols).
 */
export function pythonJsonDumps(value: unknown, options: PythonJsonOptions = {}): string {
  const ascii = options.ensureAscii !== false;
  const sortKeys = options.sortKeys === true;
  const str = (s: string): string => (ascii ? escapeNonAscii(JSON.stringify(s)) : JSON.stringify(s));
  const write = (v: unknown): string => {
    if (v === null || v === undefined) return "null";
    switch (typeof v) {
      case "string":
        return str(v);
      case "number":
        return numberRepr(v);
      case "boolean":
        return v ? "true" : "false";
      case "object": {
        if (v instanceof PyFloat) return pythonFloatRepr(v.value);
        if (Array.isArray(v)) return v.length === 0 ? "[]" : `[${v.map(write).join(", ")}]`;
        const json = (v as { toJSON?: () => unknown }).toJSON;
        if (typeof json === "function") return write(json.call(v));
        const rec = v as Record<string, unknown>;
        let keys = Object.keys(rec).filter((k) => rec[k] !== undefined && typeof rec[k] !== "function");
        if (sortKeys) keys = keys.sort(compareCodePoints);
        return keys.length === 0 ? "{}" : `{${keys.map((k) => `${str(k)}: ${write(rec[k])}`).join(", ")}}`;
      }
      default:
        throw new TunixError("INVALID_ARGUMENT", `pythonJsonDumps: cannot serialize a ${typeof v}`);
    }
  };
  return write(value);
}

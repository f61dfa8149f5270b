/**
 * Answer normalization for exact matching.
 *
 * Defaults compare answers the way a person grading a short answer would: case, surrounding whitespace,
 * punctuation and thousands separators do not matter, and numbers compare by value (`15.0` = `15`).
 * Fractions (`1/2` = `0.5`) and unit stripping are opt-in because they can hide real errors.
 */

/** Options for {@link normalizeForScoring} and {@link answersMatch}. */
export interface AnswerMatchOptions {
  /** Compare case-sensitively (default false). */
  caseSensitive?: boolean;
  /** Collapse runs of whitespace and trim (default true). */
  whitespace?: boolean;
  /** Ignore punctuation in non-numeric answers (default true). */
  punctuation?: boolean;
  /** Accept `1,000` as 1000 (default true). */
  thousandsSeparators?: boolean;
  /** Compare numeric answers by value: `15.0` = `15`, `1e3` = `1000` (default true). */
  numeric?: boolean;
  /** Read `a/b` as a number, so `1/2` = `0.5` (default false). */
  fractions?: boolean;
  /**
   * Units (or currency symbols) stripped from either end of a numeric answer before comparing, e.g.
   * `["km", "$", "%"]` (default none). Matched case-insensitively; longest first.
   */
  units?: readonly string[];
  /** Split expected answers on ` or ` into alternatives, any of which matches (default true). */
  alternatives?: boolean;
}

/** A units list that covers the shipped eval sets and common word problems (pass it as `units`). */
export const COMMON_UNITS: readonly string[] = [
  "$", "€", "£", "%", "percent", "degrees", "°", "km/h", "mph", "m/s", "km", "cm", "mm", "m", "kg", "g", "mg",
  "l", "ml", "miles", "mile", "meters", "meter", "feet", "foot", "ft", "inches", "inch", "hours", "hour", "h",
  "minutes", "minute", "min", "seconds", "second", "s", "days", "day", "years", "year", "dollars", "dollar",
  "cents", "units", "square units", "sq units", "cm²", "m²", "cm^2", "m^2", "apples", "items",
];

const NUMBER_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
const THOUSANDS_RE = /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
const FRACTION_RE = /^([-+]?\d+)\s*\/\s*(\d+)$/;

/** The parsed form of one answer: its number when it reads as one, else its normalized text. */
export interface NormalizedAnswer {
  /** Normalized text (always present). */
  text: string;
  /** Numeric value, when the answer reads as a number under the options. */
  value?: number;
}

function resolve(options: AnswerMatchOptions): Required<Omit<AnswerMatchOptions, "units">> & { units: readonly string[] } {
  return {
    caseSensitive: options.caseSensitive ?? false,
    whitespace: options.whitespace ?? true,
    punctuation: options.punctuation ?? true,
    thousandsSeparators: options.thousandsSeparators ?? true,
    numeric: options.numeric ?? true,
    fractions: options.fractions ?? false,
    units: options.units ?? [],
    alternatives: options.alternatives ?? true,
  };
}

/**
 * Normalizes one answer string under `options` (NFKC first, then case, whitespace, numbers,
 * punctuation).
 *
 * @param answer - a model's extracted answer or a reference answer.
 * @param options - normalization switches.
 */
export function normalizeForScoring(answer: string, options: AnswerMatchOptions = {}): NormalizedAnswer {
  const o = resolve(options);
  let s = answer.normalize("NFKC");
  if (o.whitespace) s = s.replace(/\s+/g, " ").trim();
  if (!o.caseSensitive) s = s.toLowerCase();
  // Markdown emphasis and a trailing full stop never change an answer.
  s = s.replace(/^[*_`]+|[*_`]+$/g, "").replace(/\.$/, "").trim();
  if (o.numeric) {
    const value = parseNumber(s, o);
    if (value !== undefined) return { text: canonicalNumber(value), value };
  }
  if (o.punctuation) s = s.replace(/[\p{P}]+/gu, " ");
  if (o.whitespace) s = s.replace(/\s+/g, " ").trim();
  return { text: s };
}

function parseNumber(raw: string, o: ReturnType<typeof resolve>): number | undefined {
  let s = stripUnits(raw.trim(), o.units, o.caseSensitive).replace(/\s+/g, " ");
  if (o.thousandsSeparators && THOUSANDS_RE.test(s)) s = s.replace(/,/g, "");
  if (NUMBER_RE.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  if (o.fractions) {
    const m = FRACTION_RE.exec(s);
    if (m) {
      const den = Number(m[2]);
      if (den !== 0) return Number(m[1]) / den;
    }
  }
  return undefined;
}

function stripUnits(s: string, units: readonly string[], caseSensitive: boolean): string {
  if (units.length === 0) return s;
  const list = [...units].sort((a, b) => b.length - a.length);
  let changed = true;
  while (changed) {
    changed = false;
    const cmp = caseSensitive ? s : s.toLowerCase();
    for (const unit of list) {
      const u = caseSensitive ? unit : unit.toLowerCase();
      if (u === "") continue;
      if (cmp.endsWith(u) && cmp.length > u.length) {
        const rest = s.slice(0, s.length - u.length);
        // A letter unit must not be glued to a longer word ("5 kmh" keeps "kmh").
        if (/\p{L}$/u.test(u.slice(0, 1)) && /\p{L}$/u.test(rest)) continue;
        s = rest.trim();
        changed = true;
        break;
      }
      if (cmp.startsWith(u) && cmp.length > u.length) {
        const rest = s.slice(u.length);
        if (/\p{L}/u.test(u.slice(-1)) && /^\p{L}/u.test(rest)) continue;
        s = rest.trim();
        changed = true;
        break;
      }
    }
  }
  return s;
}

function canonicalNumber(v: number): string {
  return Object.is(v, -0) ? "0" : String(v);
}

/**
 * Splits a reference answer into its alternatives: `"0.5 or 50%"` → `["0.5", "50%"]`. A reference without
 * ` or ` is one alternative.
 *
 * @param expected - the reference answer.
 */
export function splitAlternatives(expected: string): string[] {
  const parts = expected.split(/\s+or\s+/i).map((p) => p.trim()).filter((p) => p !== "");
  return parts.length > 0 ? parts : [expected];
}

/**
 * True when `answer` matches `expected` (or any of its alternatives) after normalization: by value when
 * both read as numbers, else by normalized text.
 *
 * @param answer - the extracted answer.
 * @param expected - the reference answer.
 * @param options - normalization switches.
 */
export function answersMatch(answer: string, expected: string, options: AnswerMatchOptions = {}): boolean {
  const got = normalizeForScoring(answer, options);
  const candidates = options.alternatives === false ? [expected] : [expected, ...splitAlternatives(expected)];
  for (const candidate of candidates) {
    const want = normalizeForScoring(candidate, options);
    if (got.value !== undefined && want.value !== undefined) {
      if (got.value === want.value) return true;
    } else if (got.text === want.text) {
      return true;
    }
  }
  return false;
}

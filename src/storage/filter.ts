/**
 * The trace filter language: plain JSON, validated, the same in every store. Its in-memory meaning
 * (`matchesFilter`, the conformance oracle) is in filter-match.ts.
 */
import { z } from "zod";
import { TunixError, type Issue } from "../errors.js";

/** A JSON scalar a meta value can be compared with. */
export type FilterScalar = string | number | boolean | null;

/** Bounds of a numeric range on a meta value (at least one). */
export interface NumericRange {
  /** Greater than. */
  gt?: number;
  /** Greater than or equal. */
  gte?: number;
  /** Less than. */
  lt?: number;
  /** Less than or equal. */
  lte?: number;
}

/** Bounds of a `created_at` range: ISO-8601 instants with a time zone (at least one bound). */
export interface TimeRange {
  /** After. */
  gt?: string;
  /** At or after. */
  gte?: string;
  /** Before. */
  lt?: string;
  /** At or before. */
  lte?: string;
}

/**
 * A filter over stored traces. `meta` is a dot path into `trace.meta` (`"a.b"` = `meta.a.b`; segments are
 * letters, digits, `_` or `-`; paths only go through objects, never into arrays).
 *
 * - `{meta, eq: v}`: the value exists and equals the scalar `v` with the same JSON type (`"1"` ≠ `1`,
 *   `true` ≠ `1`; `eq: null` matches an explicit JSON null, not a missing key).
 * - `{meta, in: [v, ...]}`: `eq` any of the values (an empty list matches nothing).
 * - `{meta, exists: true|false}`: the key is present (a JSON null counts as present).
 * - `{meta, gt?, gte?, lt?, lte?}`: the value is a number within every given bound.
 * - `{created_at: {gt?, gte?, lt?, lte?}}`: creation time range.
 * - `{trace_version: "1.0"}` or `{trace_version: {in: [...]}}`.
 * - `{id: {in: [...]}}`, `{content_hash: {in: [...]}}`.
 * - `{and: [...]}` (empty = all), `{or: [...]}` (empty = none), `{not: f}`.
 */
export type TraceFilter =
  | { meta: string; eq: FilterScalar }
  | { meta: string; in: FilterScalar[] }
  | { meta: string; exists: boolean }
  | ({ meta: string } & NumericRange)
  | { created_at: TimeRange }
  | { trace_version: string | { in: string[] } }
  | { id: { in: string[] } }
  | { content_hash: { in: string[] } }
  | { and: TraceFilter[] }
  | { or: TraceFilter[] }
  | { not: TraceFilter };

/** The fields of a stored trace a filter reads (a {@link StoredTrace} satisfies it). */
export interface FilterTarget {
  /** Store id. */
  id: string;
  /** ISO-8601 UTC ms creation time. */
  created_at: string;
  /** sha256 of the canonical trace. */
  content_hash: string;
  /** The parts of the trace a filter reads. */
  trace: { trace_version: string; meta?: Record<string, unknown> | null | undefined };
}

/** Longest `in` list a filter may hold. */
export const MAX_FILTER_IN = 10_000;
/** Deepest nesting of `and`/`or`/`not`. */
export const MAX_FILTER_DEPTH = 32;
/** Most segments in a meta path. */
export const MAX_META_PATH_SEGMENTS = 16;

const META_SEGMENT = /^[\p{L}\p{N}_-]{1,128}$/u;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const RANGE_OPS = ["gt", "gte", "lt", "lte"] as const;
const OPERATORS = ["meta", "created_at", "trace_version", "id", "content_hash", "and", "or", "not"];

type Path = (string | number)[];

/** True for a plain object (`{}` or `Object.create(null)`), the only kind filters and meta paths go through. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isScalar(v: unknown): v is FilterScalar {
  return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

/** Splits and checks a meta path; returns undefined when it is invalid. */
export function parseMetaPath(path: unknown): string[] | undefined {
  if (typeof path !== "string") return undefined;
  const parts = path.split(".");
  if (parts.length > MAX_META_PATH_SEGMENTS || !parts.every((p) => META_SEGMENT.test(p))) return undefined;
  return parts;
}

/** Normalises an ISO-8601 instant to `YYYY-MM-DDTHH:MM:SS.mmmZ`, or undefined when it is not one. */
export function normalizeInstant(value: unknown): string | undefined {
  if (typeof value !== "string" || !ISO_INSTANT.test(value)) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return undefined;
  const out = new Date(ms).toISOString();
  return /^\d{4}-/.test(out) ? out : undefined;
}

function checkStringList(v: unknown, path: Path, issues: Issue[], what: string): void {
  if (!isPlainObject(v) || Object.keys(v).length !== 1 || !Array.isArray(v.in)) {
    issues.push({ code: "invalid_filter", path, message: `${what} must be {in: [strings]}` });
    return;
  }
  if (v.in.length > MAX_FILTER_IN) issues.push({ code: "too_big", path: [...path, "in"], message: `at most ${MAX_FILTER_IN} values` });
  v.in.forEach((x, i) => {
    if (typeof x !== "string") issues.push({ code: "invalid_type", path: [...path, "in", i], message: "must be a string" });
  });
}

function checkMeta(f: Record<string, unknown>, path: Path, issues: Issue[]): void {
  if (parseMetaPath(f.meta) === undefined) {
    issues.push({
      code: "invalid_filter",
      path: [...path, "meta"],
      message: `meta path must be dot-separated segments of letters, digits, "_" or "-" (at most ${MAX_META_PATH_SEGMENTS}), got ${JSON.stringify(f.meta)}`,
    });
  }
  const ops = Object.keys(f).filter((k) => k !== "meta");
  const unknown = ops.filter((k) => !["eq", "in", "exists", ...RANGE_OPS].includes(k));
  for (const k of unknown) {
    issues.push({ code: "unknown_operator", path: [...path, k], message: `unknown meta operator "${k}" (use eq, in, exists, gt, gte, lt, lte)` });
  }
  if (unknown.length > 0) return;
  const ranges = ops.filter((k) => (RANGE_OPS as readonly string[]).includes(k));
  if (ops.length === 0) {
    issues.push({ code: "invalid_filter", path, message: "meta filter needs one of eq, in, exists, or a range (gt/gte/lt/lte)" });
  } else if (ranges.length > 0 && ranges.length !== ops.length) {
    issues.push({ code: "invalid_filter", path, message: `range bounds cannot be combined with ${ops.filter((k) => !ranges.includes(k)).join(", ")}` });
  } else if (ranges.length === 0 && ops.length > 1) {
    issues.push({ code: "invalid_filter", path, message: `use one of ${ops.join(", ")} per meta filter (combine with and)` });
  }
  if ("eq" in f && !isScalar(f.eq)) issues.push({ code: "invalid_type", path: [...path, "eq"], message: "eq must be a string, finite number, boolean or null" });
  if ("exists" in f && typeof f.exists !== "boolean") issues.push({ code: "invalid_type", path: [...path, "exists"], message: "exists must be a boolean" });
  if ("in" in f) {
    if (!Array.isArray(f.in)) issues.push({ code: "invalid_type", path: [...path, "in"], message: "in must be an array of scalars" });
    else {
      if (f.in.length > MAX_FILTER_IN) issues.push({ code: "too_big", path: [...path, "in"], message: `at most ${MAX_FILTER_IN} values` });
      f.in.forEach((x, i) => {
        if (!isScalar(x)) issues.push({ code: "invalid_type", path: [...path, "in", i], message: "must be a string, finite number, boolean or null" });
      });
    }
  }
  for (const k of ranges) {
    if (typeof f[k] !== "number" || !Number.isFinite(f[k])) issues.push({ code: "invalid_type", path: [...path, k], message: `${k} must be a finite number` });
  }
}

function check(f: unknown, path: Path, depth: number, issues: Issue[]): void {
  if (depth > MAX_FILTER_DEPTH) {
    issues.push({ code: "too_big", path, message: `filter nested deeper than ${MAX_FILTER_DEPTH}` });
    return;
  }
  if (!isPlainObject(f)) {
    issues.push({ code: "invalid_type", path, message: `filter must be an object, got ${Array.isArray(f) ? "array" : f === null ? "null" : typeof f}` });
    return;
  }
  const keys = Object.keys(f);
  const op = keys.find((k) => OPERATORS.includes(k));
  if (op === undefined) {
    issues.push({
      code: "unknown_operator",
      path: keys.length > 0 ? [...path, keys[0]!] : path,
      message: keys.length > 0 ? `unknown filter operator "${keys[0]}" (use ${OPERATORS.join(", ")})` : "empty filter object",
    });
    return;
  }
  if (op === "meta") return checkMeta(f, path, issues);
  if (keys.length !== 1) {
    const extra = keys.filter((k) => k !== op);
    issues.push({ code: "unknown_operator", path: [...path, extra[0]!], message: `"${op}" filter cannot have other keys (${extra.join(", ")}); combine with and` });
    return;
  }
  const v = f[op];
  const p = [...path, op];
  switch (op) {
    case "and":
    case "or":
      if (!Array.isArray(v)) issues.push({ code: "invalid_type", path: p, message: `${op} must be an array of filters` });
      else v.forEach((x, i) => check(x, [...p, i], depth + 1, issues));
      return;
    case "not":
      return check(v, p, depth + 1, issues);
    case "created_at": {
      const ks = isPlainObject(v) ? Object.keys(v) : [];
      if (!isPlainObject(v) || ks.length === 0) {
        issues.push({ code: "invalid_filter", path: p, message: "created_at must be {gt?, gte?, lt?, lte?} with at least one bound" });
        return;
      }
      for (const k of ks) {
        if (!(RANGE_OPS as readonly string[]).includes(k)) issues.push({ code: "unknown_operator", path: [...p, k], message: `unknown created_at bound "${k}" (use gt, gte, lt, lte)` });
        else if (normalizeInstant(v[k]) === undefined) issues.push({ code: "invalid_type", path: [...p, k], message: `must be an ISO-8601 instant with a time zone, got ${JSON.stringify(v[k])}` });
      }
      return;
    }
    case "trace_version":
      if (typeof v !== "string") checkStringList(v, p, issues, "trace_version");
      return;
    default:
      checkStringList(v, p, issues, op);
  }
}

/** Every problem with a filter, each naming its path; empty when the filter is valid. */
export function filterIssues(filter: unknown): Issue[] {
  const issues: Issue[] = [];
  check(filter, [], 0, issues);
  return issues;
}

/**
 * Checks a filter and returns it typed.
 *
 * @param filter - any value, e.g. from JSON.
 * @throws {@link TunixError} `FILTER_INVALID` naming each bad path (an unknown operator is an error, never "match all").
 */
export function validateFilter(filter: unknown): TraceFilter {
  const issues = filterIssues(filter);
  if (issues.length > 0) throw new TunixError("FILTER_INVALID", "Invalid trace filter", { issues });
  return filter as TraceFilter;
}

/**
 * zod schema of {@link TraceFilter}, for embedding filters in other schemas (dataset requests). It runs
 * the same checks as {@link validateFilter}, so issues name the exact path; its JSON Schema is open
 * (`{}`), because the recursive operator union is checked by code.
 */
export const TraceFilterSchema = z.unknown().superRefine((value, ctx) => {
  for (const issue of filterIssues(value)) ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
}) as unknown as z.ZodType<TraceFilter>;

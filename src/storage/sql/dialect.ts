/**
 * Filter → WHERE, ordering and keyset paging, shared by the SQLite and PostgreSQL adapters. The two
 * dialects differ only in placeholders, JSON operators and list parameters.
 *
 * NULL handling: SQL's three-valued logic treats a missing meta key as NULL, and NULL behaves as false
 * under AND/OR in a WHERE clause, which is what {@link matchesFilter} says. Only NOT would turn a NULL into
 * a wrong answer, so `not` compiles to `NOT COALESCE(x, FALSE)`. Leaves stay uncoalesced so expression
 * indexes on meta keys remain usable.
 */
import { normalizeInstant, parseMetaPath, type FilterScalar, type TraceFilter } from "../filter.js";
import type { PageRequest } from "../backend.js";

/** Collects bind parameters while SQL text is built. */
export class SqlParams {
  /** Parameter values in order. */
  readonly values: unknown[] = [];
  /** @param placeholder - makes the placeholder text for the n-th (1-based) parameter. */
  constructor(private readonly placeholder: (n: number) => string) {}
  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return this.placeholder(this.values.length);
  }
}

type RangeOp = "gt" | "gte" | "lt" | "lte";
const SQL_OP: Record<RangeOp, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** What differs between SQL backends. */
export interface SqlDialect {
  /** `sqlite` or `postgres`. */
  readonly name: string;
  /** Placeholder for the n-th parameter. */
  placeholder(n: number): string;
  /** SQL literal `FALSE`. */
  readonly false: string;
  /** The expression whose value is the meta value at `path` (used by expression indexes too). */
  metaValue(path: readonly string[]): string;
  /** Key exists (JSON null counts). */
  metaExists(path: readonly string[]): string;
  /** Value equals one of `values` with the same JSON type. */
  metaIn(path: readonly string[], values: readonly FilterScalar[], p: SqlParams): string;
  /** Value is a number satisfying `op bound`. */
  metaRange(path: readonly string[], bounds: readonly [RangeOp, number][], p: SqlParams): string;
  /** `column IN (list)` for a text list. */
  textIn(column: string, values: readonly string[], p: SqlParams): string;
  /** A creation-time bound parameter (ISO text) as the column's type. */
  timeParam(iso: string, p: SqlParams): string;
}

/** Escapes a string as a SQL literal body ('' doubling). Meta segments are validated; this is belt and braces. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** SQLite: JSON text columns read with json_extract / json_type, lists bound as one JSON array. */
export const sqliteDialect: SqlDialect = {
  name: "sqlite",
  placeholder: () => "?",
  false: "0",
  metaValue: (path) => `json_extract(meta, ${sqliteJsonPath(path)})`,
  metaExists: (path) => `json_type(meta, ${sqliteJsonPath(path)}) IS NOT NULL`,
  metaIn(path, values, p) {
    const v = this.metaValue(path);
    const t = `json_type(meta, ${sqliteJsonPath(path)})`;
    const parts: string[] = [];
    const strings = values.filter((x): x is string => typeof x === "string");
    const numbers = values.filter((x): x is number => typeof x === "number");
    if (strings.length === 1) parts.push(`(${v} = ${p.add(strings[0])} AND ${t} = 'text')`);
    else if (strings.length > 1) parts.push(`(${v} IN (SELECT value FROM json_each(${p.add(JSON.stringify(strings))})) AND ${t} = 'text')`);
    if (numbers.length === 1) parts.push(`(${v} = ${p.add(numbers[0])} AND ${t} IN ('integer', 'real'))`);
    else if (numbers.length > 1) parts.push(`(${v} IN (SELECT value FROM json_each(${p.add(JSON.stringify(numbers))})) AND ${t} IN ('integer', 'real'))`);
    if (values.includes(true)) parts.push(`${t} = 'true'`);
    if (values.includes(false)) parts.push(`${t} = 'false'`);
    if (values.includes(null)) parts.push(`${t} = 'null'`);
    return parts.length === 0 ? "0" : parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
  },
  metaRange(path, bounds, p) {
    const v = this.metaValue(path);
    const conds = bounds.map(([op, n]) => `${v} ${SQL_OP[op]} ${p.add(n)}`);
    return `(${conds.join(" AND ")} AND json_type(meta, ${sqliteJsonPath(path)}) IN ('integer', 'real'))`;
  },
  textIn(column, values, p) {
    if (values.length === 0) return "0";
    if (values.length === 1) return `${column} = ${p.add(values[0])}`;
    return `${column} IN (SELECT value FROM json_each(${p.add(JSON.stringify(values))}))`;
  },
  timeParam: (iso, p) => p.add(iso),
};

function sqliteJsonPath(path: readonly string[]): string {
  return sqlString("$" + path.map((s) => `."${s}"`).join(""));
}

/**
 * JSON text for a jsonb value. jsonb cannot hold U+0000, so an escaped NUL becomes U+2400 (␀) in the
 * indexed `meta` copy and in filter values alike; the stored trace body (json) keeps the real NUL. The
 * only effect: a meta filter cannot tell NUL from ␀.
 */
export function pgJsonText(json: string): string {
  return json.includes("\\u0000") ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\u2400") : json;
}

/** PostgreSQL: `meta` is jsonb, `created_at` timestamptz, lists bound as arrays. */
export const postgresDialect: SqlDialect = {
  name: "postgres",
  placeholder: (n) => `$${n}`,
  false: "FALSE",
  metaValue: (path) => `(meta${path.map((s) => ` -> ${sqlString(s)}`).join("")})`,
  metaExists(path) {
    return `${this.metaValue(path)} IS NOT NULL`;
  },
  metaIn(path, values, p) {
    if (values.length === 0) return "FALSE";
    const v = this.metaValue(path);
    if (values.length === 1) return `${v} = ${p.add(pgJsonText(JSON.stringify(values[0])))}::jsonb`;
    return `${v} = ANY(${p.add(values.map((x) => pgJsonText(JSON.stringify(x))))}::jsonb[])`;
  },
  metaRange(path, bounds, p) {
    // jsonb's btree order compares numbers numerically; the typeof guard drops other types, and the bare
    // comparison lets an expression index on the meta value serve the range.
    const v = this.metaValue(path);
    const conds = bounds.map(([op, n]) => `${v} ${SQL_OP[op]} ${p.add(JSON.stringify(n))}::jsonb`);
    return `(${conds.join(" AND ")} AND jsonb_typeof(${v}) = 'number')`;
  },
  textIn(column, values, p) {
    if (values.length === 0) return "FALSE";
    if (values.length === 1) return `${column} = ${p.add(values[0])}`;
    return `${column} = ANY(${p.add(values)}::text[])`;
  },
  timeParam: (iso, p) => `${p.add(iso)}::timestamptz`,
};

/**
 * Compiles a validated filter to a WHERE expression (without the keyword).
 *
 * @param filter - a validated filter.
 * @param d - the dialect.
 * @param p - collects parameters.
 */
export function compileFilter(filter: TraceFilter, d: SqlDialect, p: SqlParams): string {
  const f = filter as Record<string, unknown>;
  if ("and" in f) {
    const parts = (f.and as TraceFilter[]).map((x) => compileFilter(x, d, p));
    return parts.length === 0 ? "(1 = 1)" : `(${parts.join(" AND ")})`;
  }
  if ("or" in f) {
    const parts = (f.or as TraceFilter[]).map((x) => compileFilter(x, d, p));
    return parts.length === 0 ? "(1 = 0)" : `(${parts.join(" OR ")})`;
  }
  if ("not" in f) return `(NOT COALESCE(${compileFilter(f.not as TraceFilter, d, p)}, ${d.false}))`;
  if ("created_at" in f) {
    const r = f.created_at as Record<string, string>;
    const conds = (Object.keys(SQL_OP) as RangeOp[])
      .filter((op) => op in r)
      .map((op) => `created_at ${SQL_OP[op]} ${d.timeParam(normalizeInstant(r[op])!, p)}`);
    return `(${conds.join(" AND ")})`;
  }
  if ("trace_version" in f) {
    const v = f.trace_version as string | { in: string[] };
    return d.textIn("trace_version", typeof v === "string" ? [v] : v.in, p);
  }
  if ("id" in f) return d.textIn("id", (f.id as { in: string[] }).in, p);
  if ("content_hash" in f) return d.textIn("content_hash", (f.content_hash as { in: string[] }).in, p);
  const path = parseMetaPath(f.meta)!;
  if ("exists" in f) return f.exists ? `(${d.metaExists(path)})` : `(NOT (${d.metaExists(path)}))`;
  if ("eq" in f) return d.metaIn(path, [f.eq as FilterScalar], p);
  if ("in" in f) return d.metaIn(path, f.in as FilterScalar[], p);
  const bounds = (Object.keys(SQL_OP) as RangeOp[]).filter((op) => op in f).map((op) => [op, f[op] as number] as [RangeOp, number]);
  return d.metaRange(path, bounds, p);
}

/** WHERE clause (with keyword, or empty) for a filter. */
export function whereClause(filter: TraceFilter | undefined, d: SqlDialect, p: SqlParams): string {
  return filter === undefined ? "" : `WHERE ${compileFilter(filter, d, p)}`;
}

/**
 * `WHERE ... ORDER BY ... LIMIT n` for one keyset page: rows strictly after `(key, id)` in (orderBy, id)
 * order, in the given direction.
 */
export function pageClause(req: PageRequest, d: SqlDialect, p: SqlParams): string {
  const conds: string[] = [];
  if (req.filter !== undefined) conds.push(compileFilter(req.filter, d, p));
  const cmp = req.direction === "asc" ? ">" : "<";
  const dir = req.direction === "asc" ? "ASC" : "DESC";
  if (req.after) {
    if (req.orderBy === "id") conds.push(`id ${cmp} ${p.add(req.after.id)}`);
    else conds.push(`(created_at, id) ${cmp} (${d.timeParam(req.after.key, p)}, ${p.add(req.after.id)})`);
  }
  const order = req.orderBy === "id" ? `id ${dir}` : `created_at ${dir}, id ${dir}`;
  return `${conds.length > 0 ? `WHERE ${conds.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ${p.add(req.limit)}`;
}

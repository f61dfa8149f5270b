/**
 * The in-memory meaning of a trace filter. {@link compileFilter} turns a validated filter into a predicate
 * once (meta paths split, instants normalised, long `in` lists hashed); {@link matchesFilter} is that
 * predicate applied once, the oracle the conformance suite checks every adapter against. Plus what a
 * store that keeps fields on disk asks of a filter: {@link filterReads} and {@link metaNeedles}.
 */
import { isPlainObject, normalizeInstant, parseMetaPath, type FilterScalar, type FilterTarget, type TraceFilter } from "./filter.js";

/** Looks up a meta path: `{found: false}` when a segment is missing or crosses a non-object. */
export function resolveMetaPath(meta: unknown, parts: readonly string[]): { found: boolean; value?: unknown } {
  let cur: unknown = meta;
  for (const part of parts) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return { found: false };
    cur = cur[part];
  }
  return { found: true, value: cur };
}

/** A compiled filter: true when the target matches. */
export type FilterPredicate = (target: FilterTarget) => boolean;

function scalarEquals(value: unknown, target: FilterScalar): boolean {
  return value === target && (typeof value === typeof target || value === null);
}

/** `x` within every bound of `r` (already normalised). */
function rangeTest<T extends number | string>(r: Record<string, unknown>, norm: (v: unknown) => T): (x: T) => boolean {
  const gt = "gt" in r ? norm(r.gt) : undefined;
  const gte = "gte" in r ? norm(r.gte) : undefined;
  const lt = "lt" in r ? norm(r.lt) : undefined;
  const lte = "lte" in r ? norm(r.lte) : undefined;
  return (x) => (gt === undefined || x > gt) && (gte === undefined || x >= gte) && (lt === undefined || x < lt) && (lte === undefined || x <= lte);
}

/** Membership in a string list: a Set once the list is long enough to pay for one. */
function memberOf(list: readonly string[]): (x: string) => boolean {
  if (list.length <= 16) return (x) => list.includes(x);
  const set = new Set(list);
  return (x) => set.has(x);
}

/**
 * Compiles a filter into a predicate with the meaning {@link matchesFilter} documents. Assumes a valid
 * filter (see `validateFilter`); the predicate does not see later changes to the filter object.
 *
 * @param filter - a validated filter, or undefined (matches everything).
 */
export function compileFilter(filter: TraceFilter | undefined): FilterPredicate {
  if (filter === undefined) return () => true;
  const f = filter as Record<string, unknown>;
  if ("and" in f) {
    const parts = (f.and as TraceFilter[]).map(compileFilter);
    return (t) => parts.every((p) => p(t));
  }
  if ("or" in f) {
    const parts = (f.or as TraceFilter[]).map(compileFilter);
    return (t) => parts.some((p) => p(t));
  }
  if ("not" in f) {
    const inner = compileFilter(f.not as TraceFilter);
    return (t) => !inner(t);
  }
  if ("created_at" in f) {
    const test = rangeTest(f.created_at as Record<string, unknown>, (v) => normalizeInstant(v)!);
    return (t) => test(t.created_at);
  }
  if ("trace_version" in f) {
    const v = f.trace_version;
    if (typeof v === "string") return (t) => t.trace.trace_version === v;
    const has = memberOf((v as { in: string[] }).in);
    return (t) => has(t.trace.trace_version);
  }
  if ("id" in f) {
    const has = memberOf((f.id as { in: string[] }).in);
    return (t) => has(t.id);
  }
  if ("content_hash" in f) {
    const has = memberOf((f.content_hash as { in: string[] }).in);
    return (t) => has(t.content_hash);
  }
  const path = parseMetaPath(f.meta) ?? [];
  if ("exists" in f) {
    const want = f.exists as boolean;
    return (t) => resolveMetaPath(t.trace.meta, path).found === want;
  }
  let test: (value: unknown) => boolean;
  if ("eq" in f) {
    const eq = f.eq as FilterScalar;
    test = (value) => scalarEquals(value, eq);
  } else if ("in" in f) {
    const list = f.in as FilterScalar[];
    test = (value) => list.some((x) => scalarEquals(value, x));
  } else {
    const within = rangeTest(f, (v) => v as number);
    test = (value) => typeof value === "number" && within(value);
  }
  return (t) => {
    const { found, value } = resolveMetaPath(t.trace.meta, path);
    return found && test(value);
  };
}

/**
 * The meaning of a filter: true when `target` matches. Assumes a valid filter (see `validateFilter`).
 * To test many targets against one filter, compile it once with {@link compileFilter}.
 *
 * @param filter - a validated filter, or undefined (matches everything).
 * @param target - a `StoredTrace` (or the fields of one that filters read).
 */
export function matchesFilter(filter: TraceFilter | undefined, target: FilterTarget): boolean {
  return compileFilter(filter)(target);
}

/** A field of a stored trace that a filter leaf reads. */
export type FilterField = "meta" | "created_at" | "trace_version" | "id" | "content_hash";

/**
 * True when evaluating `filter` reads `field` (`meta` for any meta operator). Lets a store that keeps
 * some fields out of memory (the file store's meta) know when it has to fetch them.
 *
 * @param filter - a validated filter.
 * @param field - the field asked about.
 */
export function filterReads(filter: TraceFilter, field: FilterField): boolean {
  const f = filter as Record<string, unknown>;
  if ("and" in f) return (f.and as TraceFilter[]).some((x) => filterReads(x, field));
  if ("or" in f) return (f.or as TraceFilter[]).some((x) => filterReads(x, field));
  if ("not" in f) return filterReads(f.not as TraceFilter, field);
  return field in f;
}

/**
 * Text that must occur in `JSON.stringify(trace.meta)` of any trace the filter matches: at least one of
 * the returned strings, or (undefined) no such constraint. `[]` means the filter matches nothing. A store
 * that keeps meta as `JSON.stringify` text can skip parsing the meta of traces that lack them all
 * (JSON.stringify writes each scalar and key one way, so `eq: "x"` needs `"x"` in the text).
 *
 * @param filter - a validated filter.
 */
export function metaNeedles(filter: TraceFilter): string[] | undefined {
  const f = filter as Record<string, unknown>;
  if ("and" in f) {
    for (const x of f.and as TraceFilter[]) {
      const n = metaNeedles(x);
      if (n !== undefined) return n;
    }
    return undefined;
  }
  if ("or" in f) {
    const all: string[] = [];
    for (const x of f.or as TraceFilter[]) {
      const n = metaNeedles(x);
      if (n === undefined) return undefined;
      all.push(...n);
    }
    return all;
  }
  if (!("meta" in f)) return undefined;
  if ("eq" in f) return [JSON.stringify(f.eq)];
  if ("in" in f) return (f.in as FilterScalar[]).map((v) => JSON.stringify(v));
  if (f.exists === true) return [`${JSON.stringify(parseMetaPath(f.meta)!.at(-1))}:`];
  return undefined;
}

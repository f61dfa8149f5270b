/**
 * Seeded fixture traces and filters for the conformance suite. Meta values deliberately mix types that
 * SQL backends confuse: `1` / `"1"` / `true`, JSON null vs a missing key, nested objects, arrays, unicode.
 */
import { createRng } from "../../internal/rng.js";
import type { TraceFilter } from "../filter.js";

/** A valid trace with the given meta and prompt. */
export function makeTrace(n: number, meta?: Record<string, unknown> | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    trace_version: "1.0",
    prompt: `What is ${n} + ${n}?`,
    final_answer: String(n + n),
    steps: [
      { i: 0, type: "calculation", content: `${n} + ${n} = ${n + n}` },
      { i: 1, type: "result", content: `The answer is ${n + n}` },
    ],
    ...(meta !== undefined ? { meta } : {}),
    ...extra,
  };
}

const CATEGORIES = ["math", "logic", "código", "数学", "emoji🙂"];

/**
 * `count` traces with varied meta, plus creation times one minute apart from 2024-01-01 (shuffled, with
 * some ties) so created_at ranges and tie-breaking by id are exercised.
 */
export function makeFixtureSet(count = 60, seed = "tunix-rt-conformance"): { traces: Record<string, unknown>[]; ids: string[]; createdAts: string[] } {
  const rng = createRng(seed);
  const traces: Record<string, unknown>[] = [];
  const ids: string[] = [];
  const createdAts: string[] = [];
  for (let n = 0; n < count; n++) {
    const meta: Record<string, unknown> = {};
    if (n % 7 !== 0) meta.category = CATEGORIES[rng.int(CATEGORIES.length)];
    const kind = n % 6;
    meta.level = kind === 0 ? rng.int(10) : kind === 1 ? rng.int(10) + 0.5 : kind === 2 ? String(rng.int(10)) : kind === 3 ? null : kind === 4 ? true : -rng.int(5);
    if (n % 3 === 0) meta.nested = { score: rng.int(100) / 10, tag: n % 2 === 0 ? "even" : "odd", deep: { x: n % 4 } };
    if (n % 5 === 0) meta.list = [1, 2, n];
    if (n % 4 === 1) meta["clé-é"] = "ü";
    if (n % 9 === 0) meta.flag = n % 2 === 0;
    traces.push(makeTrace(n, n % 11 === 10 ? null : n % 13 === 12 ? undefined : meta, n % 10 === 0 ? { trace_version: "2.0" } : {}));
    ids.push(`t-${String(rng.int(1_000_000)).padStart(6, "0")}-${n}`);
    const minute = n % 8 === 0 ? 5 : rng.int(600);
    createdAts.push(new Date(Date.UTC(2024, 0, 1) + minute * 60_000).toISOString());
  }
  return { traces, ids, createdAts };
}

/** Filters covering every operator, for comparison with `matchesFilter` (the oracle). */
export const FIXTURE_FILTERS: TraceFilter[] = [
  { meta: "category", eq: "math" },
  { meta: "category", eq: "数学" },
  { meta: "category", eq: "emoji🙂" },
  { meta: "level", eq: 1 },
  { meta: "level", eq: "1" },
  { meta: "level", eq: true },
  { meta: "level", eq: null },
  { meta: "level", eq: 0 },
  { meta: "nested.tag", eq: "even" },
  { meta: "nested.deep.x", eq: 2 },
  { meta: "clé-é", eq: "ü" },
  { meta: "flag", eq: false },
  { meta: "list", eq: 1 },
  { meta: "nested", eq: "x" },
  { meta: "missing", eq: null },
  { meta: "category", in: ["math", "logic", 3] },
  { meta: "level", in: [1, 2, 3, "4", true, null] },
  { meta: "level", in: [0.5, 1.5, 2.5] },
  { meta: "level", in: [] },
  { meta: "category", exists: true },
  { meta: "category", exists: false },
  { meta: "level", exists: true },
  { meta: "nested.deep.x", exists: true },
  { meta: "list.0", exists: true },
  { meta: "level", gt: 3 },
  { meta: "level", gte: 3, lt: 7 },
  { meta: "level", lte: 0 },
  { meta: "level", gt: -10, lte: -1 },
  { meta: "nested.score", gte: 2.5, lte: 7.5 },
  { meta: "category", gt: 0 },
  { created_at: { gte: "2024-01-01T02:00:00Z" } },
  { created_at: { gt: "2024-01-01T00:05:00.000Z", lt: "2024-01-01T06:00:00+01:00" } },
  { created_at: { lte: "2024-01-01T00:05:00Z" } },
  { trace_version: "1.0" },
  { trace_version: { in: ["2.0", "3.0"] } },
  { trace_version: { in: [] } },
  { and: [] },
  { or: [] },
  { and: [{ meta: "category", exists: true }, { meta: "level", gte: 2 }] },
  { or: [{ meta: "level", eq: null }, { meta: "flag", eq: true }, { trace_version: "2.0" }] },
  { not: { meta: "category", eq: "math" } },
  { not: { meta: "level", gt: 3 } },
  { not: { meta: "missing", exists: true } },
  { not: { or: [{ meta: "level", eq: "1" }, { not: { meta: "nested.tag", eq: "odd" } }] } },
  { and: [{ not: { meta: "category", in: ["math", "logic"] } }, { or: [{ meta: "level", lt: 5 }, { meta: "level", eq: true }] }] },
];

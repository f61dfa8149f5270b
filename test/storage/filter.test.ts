import { describe, expect, it } from "vitest";
import { TraceFilterSchema, filterIssues, matchesFilter, validateFilter, type FilterTarget } from "../../src/storage/index.js";
import { isTunixError } from "../../src/errors.js";

const t = (meta: Record<string, unknown> | null, extra: Partial<FilterTarget> = {}): FilterTarget => ({
  id: "a",
  created_at: "2026-01-01T00:00:00.000Z",
  content_hash: "h",
  trace: { trace_version: "1.0", meta },
  ...extra,
});

describe("validateFilter", () => {
  it("accepts every operator", () => {
    const filters = [
      { meta: "a.b", eq: 1 },
      { meta: "a", in: ["x", 2, true, null] },
      { meta: "a", exists: false },
      { meta: "n", gte: 1, lt: 5 },
      { created_at: { gte: "2026-01-01T00:00:00Z", lt: "2026-01-02T00:00:00+02:00" } },
      { trace_version: "1.0" },
      { trace_version: { in: ["1.0"] } },
      { id: { in: ["x"] } },
      { content_hash: { in: [] } },
      { and: [{ or: [] }, { not: { meta: "a", exists: true } }] },
    ];
    for (const f of filters) expect(filterIssues(f)).toEqual([]);
  });

  it("rejects an unknown operator with FILTER_INVALID naming it", () => {
    let err: unknown;
    try {
      validateFilter({ and: [{ meta: "a", like: "x%" }] });
    } catch (e) {
      err = e;
    }
    expect(isTunixError(err, "FILTER_INVALID")).toBe(true);
    expect((err as Error).message).toMatchInlineSnapshot(`
      "Invalid trace filter
      and[0].like: unknown meta operator "like" (use eq, in, exists, gt, gte, lt, lte)"
    `);
    expect(() => validateFilter({ foo: 1 })).toThrow(/unknown filter operator "foo"/);
    expect(() => validateFilter({})).toThrow(/empty filter object/);
    expect(() => validateFilter([])).toThrow(/filter must be an object, got array/);
  });

  it("names each bad field", () => {
    expect(filterIssues({ meta: "a..b", eq: 1 })[0]!.path).toEqual(["meta"]);
    expect(filterIssues({ meta: "a", eq: { x: 1 } })[0]!.path).toEqual(["eq"]);
    expect(filterIssues({ meta: "a", eq: 1, in: [1] })[0]!.message).toMatch(/one of eq, in/);
    expect(filterIssues({ meta: "a", gt: 1, eq: 2 })[0]!.message).toMatch(/cannot be combined/);
    expect(filterIssues({ meta: "a", gt: "1" })[0]!.path).toEqual(["gt"]);
    expect(filterIssues({ meta: "a", gt: Infinity })[0]!.path).toEqual(["gt"]);
    expect(filterIssues({ created_at: { gte: "yesterday" } })[0]!.path).toEqual(["created_at", "gte"]);
    expect(filterIssues({ created_at: { after: "2026-01-01T00:00:00Z" } })[0]!.code).toBe("unknown_operator");
    expect(filterIssues({ created_at: {} })[0]!.path).toEqual(["created_at"]);
    expect(filterIssues({ trace_version: 1 })[0]!.path).toEqual(["trace_version"]);
    expect(filterIssues({ id: { in: [1] } })[0]!.path).toEqual(["id", "in", 0]);
    expect(filterIssues({ and: {} })[0]!.path).toEqual(["and"]);
    expect(filterIssues({ not: { meta: "x", exists: true }, or: [] })[0]!.code).toBe("unknown_operator");
    let deep: unknown = { meta: "a", exists: true };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(filterIssues(deep)[0]!.code).toBe("too_big");
  });

  it("TraceFilterSchema reports the same issues inside other schemas", () => {
    const r = TraceFilterSchema.safeParse({ or: [{ meta: "a", nope: 1 }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["or", 0, "nope"]);
  });
});

describe("matchesFilter", () => {
  it("eq is type-strict and null means explicit null", () => {
    expect(matchesFilter({ meta: "a", eq: 1 }, t({ a: 1 }))).toBe(true);
    expect(matchesFilter({ meta: "a", eq: 1 }, t({ a: "1" }))).toBe(false);
    expect(matchesFilter({ meta: "a", eq: true }, t({ a: 1 }))).toBe(false);
    expect(matchesFilter({ meta: "a", eq: null }, t({ a: null }))).toBe(true);
    expect(matchesFilter({ meta: "a", eq: null }, t({}))).toBe(false);
    expect(matchesFilter({ meta: "a.b", eq: "x" }, t({ a: { b: "x" } }))).toBe(true);
    expect(matchesFilter({ meta: "a.0", eq: "x" }, t({ a: ["x"] }))).toBe(false);
  });
  it("exists, in, ranges, not", () => {
    expect(matchesFilter({ meta: "a", exists: true }, t({ a: null }))).toBe(true);
    expect(matchesFilter({ meta: "a", exists: false }, t(null))).toBe(true);
    expect(matchesFilter({ meta: "a", in: [] }, t({ a: 1 }))).toBe(false);
    expect(matchesFilter({ meta: "a", gte: 1, lt: 2 }, t({ a: 1.5 }))).toBe(true);
    expect(matchesFilter({ meta: "a", gte: 1 }, t({ a: "5" }))).toBe(false);
    expect(matchesFilter({ not: { meta: "a", eq: 1 } }, t({}))).toBe(true);
    expect(matchesFilter({ and: [] }, t({}))).toBe(true);
    expect(matchesFilter({ or: [] }, t({}))).toBe(false);
    expect(matchesFilter({ created_at: { gt: "2025-12-31T23:00:00-02:00" } }, t({}))).toBe(false);
  });
});

/** Conformance group "query": every filter operator against the matchesFilter oracle, order, cursors. */
import { expectError, oracleIds, queryAll, type Ctx } from "./harness.js";
import { FIXTURE_FILTERS, makeFixtureSet, makeTrace } from "./fixtures.js";
import type { StoredTrace, TraceStore } from "../types.js";

async function loadFixtures(store: TraceStore): Promise<StoredTrace[]> {
  const { traces, ids, createdAts } = makeFixtureSet();
  return (await store.putMany(traces, { ids, createdAts })).stored;
}

/** Registers the query tests. */
export function queryTests({ test, expect }: Ctx): void {
  test("query(filter) and count(filter) select exactly the oracle's ids for every operator", async (open) => {
    const store = await open();
    const all = await loadFixtures(store);
    for (const filter of FIXTURE_FILTERS) {
      const want = oracleIds(all, filter);
      const got = (await store.query(filter, { limit: 1000 })).items.map((s) => s.id);
      expect({ filter, ids: got }).toEqual({ filter, ids: want });
      expect({ filter, count: await store.count(filter) }).toEqual({ filter, count: want.length });
    }
    expect(await store.count()).toBe(all.length);
  });

  test("query orders by (created_at|id, id) in both directions; pages of 7 follow the same order", async (open) => {
    const store = await open();
    const all = await loadFixtures(store);
    for (const orderBy of ["created_at", "id"] as const) {
      for (const direction of ["asc", "desc"] as const) {
        for (const filter of [undefined, { meta: "level", exists: true }, { not: { meta: "category", eq: "math" } }]) {
          const want = oracleIds(all, filter, orderBy, direction);
          const paged = (await queryAll(store, filter, { orderBy, direction, limit: 7 })).map((s) => s.id);
          expect({ orderBy, direction, filter, ids: paged }).toEqual({ orderBy, direction, filter, ids: want });
        }
      }
    }
  });

  test("query returns full StoredTrace items equal to get(id)", async (open) => {
    const store = await open();
    const all = await loadFixtures(store);
    const page = await store.query({ meta: "nested.tag", eq: "even" }, { limit: 3 });
    for (const item of page.items) expect(item).toEqual(all.find((s) => s.id === item.id));
    expect(typeof page.nextCursor).toBe("string");
  });

  test("pagination under inserts: asc pages see every old trace once, new ones after them; desc never repeats", async (open) => {
    const store = await open();
    const initial = (await store.putMany(Array.from({ length: 40 }, (_, i) => makeTrace(i, { batch: "old" })))).stored;
    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const page: { items: StoredTrace[]; nextCursor: string | null } = await store.query(undefined, { limit: 6, cursor });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      if (round++ < 5) await store.putMany([makeTrace(100 + round, { batch: "new" }), makeTrace(200 + round, { batch: "new" })]);
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 40)).toEqual(oracleIds(initial, undefined));
    expect(seen.length).toBe(50);
    const desc: string[] = [];
    cursor = null;
    do {
      const page: { items: StoredTrace[]; nextCursor: string | null } = await store.query({ meta: "batch", eq: "old" }, { limit: 9, direction: "desc", cursor });
      desc.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      await store.put(makeTrace(999, { batch: "old" }));
    } while (cursor !== null);
    expect(new Set(desc).size).toBe(desc.length);
    expect(desc).toEqual(oracleIds(initial, undefined, "created_at", "desc"));
  });

  test("pagination under deletes never repeats or skips a surviving trace", async (open) => {
    const store = await open();
    const all = await loadFixtures(store);
    const want = oracleIds(all, undefined, "id", "asc");
    const got: string[] = [];
    let cursor: string | null = null;
    let k = 0;
    do {
      const page: { items: StoredTrace[]; nextCursor: string | null } = await store.query(undefined, { orderBy: "id", limit: 10, cursor });
      got.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      await store.delete(want[got.length - 1]!);
      k++;
    } while (cursor !== null && k < 100);
    expect(got).toEqual(want);
  });

  test("bad filters, options and cursors are named errors, never 'match all'", async (open) => {
    const store = await open();
    await store.put(makeTrace(1, { a: 1 }));
    const err = await expectError(() => store.query({ meta: "a", like: "x" } as never), "FILTER_INVALID");
    expect(err.message).toMatch(/like/);
    await expectError(() => store.count({ foo: 1 } as never), "FILTER_INVALID");
    await expectError(() => store.query({ or: [{ meta: "a b", eq: 1 }] } as never), "FILTER_INVALID");
    await expectError(() => store.query(undefined, { limit: 0 }), "INVALID_ARGUMENT");
    await expectError(() => store.query(undefined, { orderBy: "prompt" as never }), "INVALID_ARGUMENT");
    await expectError(() => store.query(undefined, { cursor: "garbage" }), "INVALID_ARGUMENT");
    await store.put(makeTrace(2));
    const { nextCursor } = await store.query(undefined, { limit: 1 });
    await expectError(() => store.query(undefined, { limit: 1, cursor: nextCursor, direction: "desc" }), "INVALID_ARGUMENT");
  });
}

/** Conformance group "stream": async iteration in query order, in batches. */
import { collect, expectError, oracleIds, type Ctx } from "./harness.js";
import { FIXTURE_FILTERS, makeFixtureSet, makeTrace } from "./fixtures.js";

/** Registers the stream tests. */
export function streamTests({ test, expect }: Ctx): void {
  test("stream(filter) yields the oracle's ids in order for every operator (batchSize 4)", async (open) => {
    const store = await open();
    const { traces, ids, createdAts } = makeFixtureSet();
    const all = (await store.putMany(traces, { ids, createdAts })).stored;
    for (const filter of FIXTURE_FILTERS.slice(0, 24)) {
      const got = (await collect(store.stream(filter, { batchSize: 4 }))).map((s) => s.id);
      expect({ filter, ids: got }).toEqual({ filter, ids: oracleIds(all, filter) });
    }
    const byIdDesc = (await collect(store.stream(undefined, { orderBy: "id", direction: "desc", batchSize: 7 }))).map((s) => s.id);
    expect(byIdDesc).toEqual(oracleIds(all, undefined, "id", "desc"));
  });

  test("stream() of 2500 traces with batchSize 1000 yields each once, equal to get()", async (open) => {
    const store = await open();
    const stored = (await store.putMany(Array.from({ length: 2500 }, (_, i) => makeTrace(i, { i })))).stored;
    const got = await collect(store.stream(undefined, { batchSize: 1000 }));
    expect(got.length).toBe(2500);
    expect(new Set(got.map((s) => s.id)).size).toBe(2500);
    expect(got.map((s) => s.id)).toEqual(oracleIds(stored, undefined));
    expect(got[1234]).toEqual(stored.find((s) => s.id === got[1234]!.id));
  });

  test("stream can stop early and be restarted; traces added mid-stream appear at the end", async (open) => {
    const store = await open();
    await store.putMany(Array.from({ length: 20 }, (_, i) => makeTrace(i)));
    let n = 0;
    for await (const _ of store.stream(undefined, { batchSize: 3 })) if (++n === 5) break;
    expect(n).toBe(5);
    const seen: string[] = [];
    let added = false;
    for await (const s of store.stream(undefined, { batchSize: 3 })) {
      seen.push(s.trace.prompt);
      if (!added) {
        added = true;
        await store.put(makeTrace(500));
      }
    }
    expect(seen.length).toBe(21);
    expect(seen[20]).toBe("What is 500 + 500?");
  });

  test("stream with a bad filter or batchSize fails with a named error", async (open) => {
    const store = await open();
    await expectError(() => store.stream({ meta: "x", regex: "." } as never), "FILTER_INVALID");
    await expectError(() => store.stream(undefined, { batchSize: 0 }), "INVALID_ARGUMENT");
  });

  test("empty store: query, count and stream are empty", async (open) => {
    const store = await open();
    expect(await store.count()).toBe(0);
    expect(await store.query()).toEqual({ items: [], nextCursor: null });
    expect((await collect(store.stream())).length).toBe(0);
  });
}

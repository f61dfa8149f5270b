/** Conformance group "atomic": a failed putMany stores nothing and names every bad index. */
import { expectError, type Ctx } from "./harness.js";
import { makeTrace } from "./fixtures.js";

/** Registers the atomicity tests. */
export function atomicTests({ test, expect }: Ctx): void {
  test("putMany([valid, invalid, valid]) stores nothing and names index 1", async (open) => {
    const store = await open();
    const bad = { ...makeTrace(1), final_answer: "" };
    const err = await expectError(() => store.putMany([makeTrace(0), bad, makeTrace(2)]), "TRACE_INVALID");
    expect(err.message).toMatch(/\[1\]\.final_answer/);
    expect(err.issues.map((i) => i.path[0])).toEqual([1]);
    expect(await store.count()).toBe(0);
  });

  test("putMany names every invalid index and field", async (open) => {
    const store = await open();
    const err = await expectError(() => store.putMany([null, makeTrace(1), { ...makeTrace(2), steps: [] }, { ...makeTrace(3), meta: 5 }]), "TRACE_INVALID");
    expect([...new Set(err.issues.map((i) => i.path[0]))]).toEqual([0, 2, 3]);
    expect(err.message).toMatch(/\[2\]\.steps/);
    expect(err.message).toMatch(/\[3\]\.meta/);
    expect(await store.count()).toBe(0);
  });

  test("putMany with an id already stored (index 2) stores nothing: STORE_CONFLICT", async (open) => {
    const store = await open();
    await store.put(makeTrace(9), { id: "taken" });
    const err = await expectError(() => store.putMany([makeTrace(0), makeTrace(1), makeTrace(2)], { ids: ["a", "b", "taken"] }), "STORE_CONFLICT");
    expect(err.issues.map((i) => i.path)).toEqual([[2, "id"]]);
    expect(await store.count()).toBe(1);
    expect(await store.get("a")).toBe(undefined);
  });

  test("putMany(120) with stored ids at indexes 7 and 101 stores nothing, names both; the store stays usable", async (open) => {
    // Large enough for multi-row INSERT chunks plus a tail in the SQL adapters: one clash in each part.
    const store = await open();
    await store.putMany([makeTrace(7), makeTrace(101)], { ids: ["id-7", "id-101"] });
    const traces = Array.from({ length: 120 }, (_, i) => makeTrace(1000 + i));
    const ids = traces.map((_, i) => `id-${i}`);
    const err = await expectError(() => store.putMany(traces, { ids }), "STORE_CONFLICT");
    expect(err.issues.map((i) => i.path)).toEqual([[7, "id"], [101, "id"]]);
    expect(await store.count()).toBe(2);
    const retry = await store.putMany(traces.slice(0, 60), { ids: ids.slice(0, 60).map((id) => `new-${id}`), dedupe: true });
    expect(retry.stored.length).toBe(60);
    expect(await store.count()).toBe(62);
  });

  test("putMany(traces, {dedupe}) skips stored content without checking its id; only written ids can clash", async (open) => {
    const store = await open();
    await store.put(makeTrace(1), { id: "taken" });
    const r = await store.putMany([makeTrace(1), makeTrace(2)], { ids: ["taken", "fresh"], dedupe: true });
    expect([r.stored.map((s) => s.id), r.duplicates]).toEqual([["fresh"], 1]);
    const err = await expectError(() => store.putMany([makeTrace(3)], { ids: ["taken"], dedupe: true }), "STORE_CONFLICT");
    expect(err.issues.map((i) => i.path)).toEqual([[0, "id"]]);
    expect(await store.count()).toBe(2);
  });

  test("putMany with the same id twice in the batch stores nothing: STORE_CONFLICT", async (open) => {
    const store = await open();
    const err = await expectError(() => store.putMany([makeTrace(0), makeTrace(1)], { ids: ["same", "same"] }), "STORE_CONFLICT");
    expect(err.message).toMatch(/index 0/);
    expect(await store.count()).toBe(0);
  });

  test("a big batch with one bad trace at the end stores nothing", async (open) => {
    const store = await open();
    const traces: unknown[] = Array.from({ length: 3000 }, (_, i) => makeTrace(i));
    traces.push({ ...makeTrace(1), trace_version: 1 });
    const err = await expectError(() => store.putMany(traces), "TRACE_INVALID");
    expect(err.message).toMatch(/\[3000\]\.trace_version/);
    expect(await store.count()).toBe(0);
    await store.putMany(traces.slice(0, 3000));
    expect(await store.count()).toBe(3000);
  });
}

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

  test("putMany rejects values that are not JSON under unknown keys (TRACE_INVALID naming the path)", async (open) => {
    const store = await open();
    const t = makeTrace(1) as { steps: Record<string, unknown>[] };
    t.steps[0]!.when = new Date(0);
    const err = await expectError(() => store.putMany([makeTrace(0), t]), "TRACE_INVALID");
    expect(err.issues.map((i) => [i.code, ...i.path])).toEqual([["not_json", 1, "steps", 0, "when"]]);
    expect(await store.count()).toBe(0);
  });

  // Large batches: adapters may write them in a pipeline (chunks written while later ones are still being
  // validated, e.g. SQLite's writer thread); the whole batch must still be all or nothing.
  const big = (n: number, from = 0): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => makeTrace(from + i, { n: from + i }));

  test("a large putMany (3000) with invalid traces late in the batch stores nothing and names them", async (open) => {
    const store = await open();
    await store.put(makeTrace(-1));
    const traces: unknown[] = big(3000);
    traces[2100] = { ...makeTrace(2100), steps: [] };
    traces[2999] = { ...makeTrace(2999), prompt: 7 };
    const err = await expectError(() => store.putMany(traces), "TRACE_INVALID");
    expect([...new Set(err.issues.map((i) => i.path[0]))]).toEqual([2100, 2999]);
    expect(err.message).toMatch(/\[2100\]\.steps/);
    expect(await store.count()).toBe(1);
    // the store still takes writes, large and small
    expect((await store.putMany(big(1500, 5000))).stored.length).toBe(1500);
    expect(await store.count()).toBe(1501);
  });

  test("a large putMany (3000) whose id at index 2500 is already stored stores nothing: STORE_CONFLICT", async (open) => {
    const store = await open();
    await store.put(makeTrace(-1), { id: "taken" });
    const ids = Array.from({ length: 3000 }, (_, i) => (i === 2500 ? "taken" : `big-${i}`));
    const err = await expectError(() => store.putMany(big(3000), { ids }), "STORE_CONFLICT");
    expect(err.issues.map((i) => i.path)).toEqual([[2500, "id"]]);
    expect(await store.count()).toBe(1);
    expect(await store.get("big-0")).toBe(undefined);
  });

  test("a large putMany with dedupe skips stored and repeated content across the whole batch", async (open) => {
    const store = await open();
    await store.putMany(big(10, 100)); // contents 100..109 stored
    // contents 0..999, then 100..119, then 0..999 again: only 0..999 minus the stored 100..109 are new
    const traces = [...big(1000), ...big(20, 100), ...big(1000)];
    const r = await store.putMany(traces, { dedupe: true });
    expect(r.stored.length).toBe(990);
    expect(r.duplicates).toBe(traces.length - 990);
    expect(await store.count()).toBe(1000);
    const prompts = r.stored.map((x) => x.trace.prompt);
    expect(new Set(prompts).size).toBe(prompts.length);
    expect(r.stored[0]!.trace).toEqual(traces[0]);
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

/** Conformance group "concurrency": parallel writers in one process and in two processes; reopen. */
import { collect, oracleIds, type Ctx } from "./harness.js";
import { makeTrace } from "./fixtures.js";

/** Registers the concurrency and persistence tests. */
export function concurrencyTests({ test, expect, options }: Ctx): void {
  test("20 concurrent putMany calls in one process all land, ids unique", async (open) => {
    const store = await open();
    const results = await Promise.all(Array.from({ length: 20 }, (_, w) => store.putMany(Array.from({ length: 25 }, (_, i) => makeTrace(i, { w })))));
    expect(results.every((r) => r.stored.length === 25)).toBe(true);
    expect(await store.count()).toBe(500);
    const ids = (await collect(store.stream())).map((s) => s.id);
    expect(new Set(ids).size).toBe(500);
    for (let w = 0; w < 20; w += 7) expect(await store.count({ meta: "w", eq: w })).toBe(25);
  });

  test("concurrent put with the same caller id: exactly one wins, the others get STORE_CONFLICT", async (open) => {
    const store = await open();
    const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.put(makeTrace(i), { id: "contended" })));
    expect(settled.filter((s) => s.status === "fulfilled").length).toBe(1);
    expect(settled.filter((s) => s.status === "rejected").every((s) => (s as PromiseRejectedResult).reason?.code === "STORE_CONFLICT")).toBe(true);
    expect(await store.count()).toBe(1);
  });

  if (options.reopen) {
    const reopen = options.reopen;
    test("data survives close() and reopen", async (open) => {
      const store = await open();
      const stored = (await store.putMany(Array.from({ length: 30 }, (_, i) => makeTrace(i, { i })), { ids: Array.from({ length: 30 }, (_, i) => `r${i}`) })).stored;
      await store.delete("r3");
      await store.close();
      const again = await reopen(store);
      try {
        expect(await again.count()).toBe(29);
        expect((await again.get("r7"))!).toEqual(stored[7]);
        expect((await collect(again.stream())).map((s) => s.id)).toEqual(oracleIds(stored.filter((s) => s.id !== "r3"), undefined));
        await again.put(makeTrace(99), { id: "r3" });
        expect(await again.count({ meta: "i", gte: 10 })).toBe(20);
      } finally {
        await again.close();
      }
    });
  }

  if (options.writeInChildProcess) {
    const child = options.writeInChildProcess;
    test("two processes writing at once: both succeed, or the second gets STORE_LOCKED (per capabilities)", async (open) => {
      const store = await open();
      await store.put(makeTrace(0, { writer: "setup" }));
      const job = { count: 400, tag: "child", batchSize: 20 };
      const childRun = child(store, job);
      let parentStored = 0;
      for (let b = 0; b < 20; b++) {
        parentStored += (await store.putMany(Array.from({ length: 20 }, (_, i) => makeTrace(b * 20 + i, { writer: "parent", n: b * 20 + i })))).stored.length;
      }
      const result = await childRun;
      expect(parentStored).toBe(400);
      if (store.capabilities.concurrentWriters) {
        expect(result).toEqual({ stored: 400 });
        expect(await store.count()).toBe(801);
        expect(await store.count({ meta: "writer", eq: "child" })).toBe(400);
        const ids = (await collect(store.stream(undefined, { batchSize: 1000 }))).map((s) => s.id);
        expect(new Set(ids).size).toBe(801);
      } else {
        expect(result).toEqual({ stored: 0, errorCode: "STORE_LOCKED" });
        expect(await store.count()).toBe(401);
      }
    }, (options.timeoutMs ?? 30_000) * 2);
  }
}

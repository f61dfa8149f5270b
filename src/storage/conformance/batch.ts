/** Conformance group "batch": putMany, dedupe, large and unicode data. */
import { expectError, type Ctx } from "./harness.js";
import { makeTrace } from "./fixtures.js";

/** Registers the batch tests. */
export function batchTests({ test, expect, options }: Ctx): void {
  test("putMany(traces) stores all in input order and returns them", async (open) => {
    const store = await open();
    const traces = Array.from({ length: 250 }, (_, i) => makeTrace(i, { n: i }));
    const r = await store.putMany(traces);
    expect(r.duplicates).toBe(0);
    expect(r.stored.map((s) => s.trace)).toEqual(traces);
    expect(await store.count()).toBe(250);
    expect((await store.get(r.stored[137]!.id))!.trace).toEqual(traces[137]);
    expect((await store.putMany([])).stored).toEqual([]);
  });

  test("putMany(generator) accepts any iterable", async (open) => {
    const store = await open();
    function* gen(): Generator<unknown> {
      for (let i = 0; i < 5; i++) yield makeTrace(i);
    }
    expect((await store.putMany(gen())).stored.length).toBe(5);
  });

  test("putMany(traces, {dedupe}) skips content already stored or repeated in the batch", async (open) => {
    const store = await open();
    await store.put(makeTrace(1, { a: 1 }));
    const r = await store.putMany([makeTrace(1, { a: 1 }), makeTrace(2), makeTrace(2), makeTrace(3)], { dedupe: true });
    expect(r.duplicates).toBe(2);
    expect(r.stored.map((s) => s.trace.prompt)).toEqual(["What is 2 + 2?", "What is 3 + 3?"]);
    expect(await store.count()).toBe(3);
    const again = await store.putMany([makeTrace(1, { a: 1 })]);
    expect(again.stored.length).toBe(1);
    expect(await store.count()).toBe(4);
  });

  test("putMany(traces, {ids, createdAts}) uses them index for index", async (open) => {
    const store = await open();
    const r = await store.putMany([makeTrace(1), makeTrace(2)], { ids: ["x1", "x2"], createdAts: ["2024-01-01T00:00:00Z", "2023-01-01T00:00:00.5Z"] });
    expect(r.stored.map((s) => [s.id, s.created_at])).toEqual([
      ["x1", "2024-01-01T00:00:00.000Z"],
      ["x2", "2023-01-01T00:00:00.500Z"],
    ]);
    expect((await store.query(undefined)).items.map((s) => s.id)).toEqual(["x2", "x1"]);
  });

  test("unicode everywhere round-trips byte for byte", async (open) => {
    const store = await open();
    const text = "Ünïcödé 数学 🙂👩‍👩‍👧 \u0000 \u2028 \uFEFF \\ \" ' \n\t end";
    const t = makeTrace(1, { "ключ": text, emoji: "🙂" }, { prompt: text, steps: [{ i: 0, type: "🙂", content: text }] });
    const s = await store.put(t, { id: "uni" });
    const got = await store.get("uni");
    expect(JSON.stringify(got!.trace)).toBe(JSON.stringify(t));
    expect(await store.count({ meta: "ключ", eq: text })).toBe(1);
    expect(await store.count({ meta: "emoji", in: ["🙂"] })).toBe(1);
    expect(s.content_hash).toBe(got!.content_hash);
  });

  test("1 MB fields round-trip (50k-char prompt, 60 steps of 20k chars, 1 MB meta string)", async (open) => {
    const store = await open();
    const big = "ab🙂€".repeat(262_144);
    const t = makeTrace(1, { blob: big, k: "v" }, {
      prompt: "p".repeat(49_999) + "🙂",
      steps: Array.from({ length: 60 }, (_, i) => ({ i, type: "step", content: "x€🙂".repeat(6_666) })),
    });
    const [a] = (await store.putMany([t, makeTrace(2)])).stored;
    const got = await store.get(a!.id);
    expect(got!.trace.prompt.length).toBe((t.prompt as string).length);
    expect(JSON.stringify(got!.trace) === JSON.stringify(t)).toBe(true);
    expect((await store.query({ meta: "k", eq: "v" })).items.length).toBe(1);
  }, (options.timeoutMs ?? 30_000) * 2);

  test("putMany with mismatched ids length rejects with INVALID_ARGUMENT", async (open) => {
    const store = await open();
    await expectError(() => store.putMany([makeTrace(1), makeTrace(2)], { ids: ["a"] }), "INVALID_ARGUMENT");
    expect(await store.count()).toBe(0);
  });
}

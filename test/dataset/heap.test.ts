import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedHeap } from "../../src/dataset/heap.js";
import { proportionalQuotas } from "../../src/dataset/index.js";

interface Item {
  pos: number;
  v: number;
  id: number;
}
const better = (a: Item, b: Item): boolean => (a.v !== b.v ? a.v < b.v : a.id < b.id);

describe("BoundedHeap", () => {
  it("keeps exactly the best k of any input order, sorted best first", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), fc.integer({ min: 0, max: 30 }), (values, k) => {
        const items = values.map((v, id) => ({ pos: -1, v, id }));
        const heap = new BoundedHeap<Item>(k, better);
        for (const it of items) heap.offer(it);
        const expected = [...items].sort((a, b) => (better(a, b) ? -1 : 1)).slice(0, k);
        expect(heap.sorted().map((x) => x.id)).toEqual(expected.map((x) => x.id));
      }),
      { numRuns: 200 },
    );
  });

  it("remove keeps the heap valid", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 100 }), fc.nat(), (values, r) => {
        const items = values.map((v, id) => ({ pos: -1, v, id }));
        const heap = new BoundedHeap<Item>(Infinity, better);
        for (const it of items) heap.offer(it);
        const gone = items[r % items.length]!;
        heap.remove(gone);
        expect(gone.pos).toBe(-1);
        const rest = items.filter((x) => x !== gone).sort((a, b) => (better(a, b) ? -1 : 1));
        expect(heap.sorted().map((x) => x.id)).toEqual(rest.map((x) => x.id));
        const newcomer = { pos: -1, v: -1, id: 999 };
        heap.offer(newcomer);
        expect(heap.sorted()[0]).toBe(newcomer);
      }),
      { numRuns: 200 },
    );
  });
});

describe("proportionalQuotas", () => {
  it("sums to the limit and never exceeds a stratum", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1000 }), { minKeys: 1 }), fc.integer({ min: 1, max: 3000 }), (counts, limit) => {
        const q = proportionalQuotas(new Map(Object.entries(counts)), limit);
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        expect(Object.values(q).reduce((a, b) => a + b, 0)).toBe(Math.min(limit, total));
        for (const [k, n] of Object.entries(counts)) expect(q[k]!).toBeLessThanOrEqual(n);
      }),
    );
  });
});

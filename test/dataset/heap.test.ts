import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedHeap, HandlePositions } from "../../src/dataset/heap.js";
import { proportionalQuotas } from "../../src/dataset/index.js";

/** Handles 0..n-1 ranked by value, ties by handle. */
const rankedBy = (values: readonly number[]) => (a: number, b: number): boolean => (values[a] !== values[b] ? values[a]! < values[b]! : a < b);
const bestFirst = (values: readonly number[], handles: number[]) => [...handles].sort((a, b) => (rankedBy(values)(a, b) ? -1 : 1));

describe("BoundedHeap", () => {
  it("keeps exactly the best k of any input order, sorted best first (bounded and unbounded)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), fc.integer({ min: 0, max: 30 }), fc.boolean(), (values, k, unbounded) => {
        const heap = new BoundedHeap(unbounded ? Infinity : k, rankedBy(values));
        values.forEach((_, h) => heap.offer(h));
        const all = values.map((_, h) => h);
        expect([...heap.sorted()]).toEqual(bestFirst(values, all).slice(0, unbounded ? undefined : k));
      }),
      { numRuns: 200 },
    );
  });

  it("sorts an unbounded heap fed best first, nearly best first, or worst first alike", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 100 }), fc.constantFrom("best", "swap", "worst"), (values, feed) => {
        const all = values.map((_, h) => h);
        const order = bestFirst(values, all);
        if (feed === "worst") order.reverse();
        if (feed === "swap" && order.length > 2) [order[1], order[2]] = [order[2]!, order[1]!];
        const heap = new BoundedHeap(Infinity, rankedBy(values));
        for (const h of order) heap.offer(h);
        expect([...heap.sorted()]).toEqual(bestFirst(values, all));
      }),
      { numRuns: 200 },
    );
  });

  it("remove keeps the heap valid; a probe handle is compared without being added", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 100 }), fc.nat(), fc.integer({ min: 1, max: 100 }), (values, r, k) => {
        for (const capacity of [k, Infinity]) {
          const positions = new HandlePositions();
          const heap = new BoundedHeap(capacity, rankedBy([...values, -1]), positions);
          values.forEach((_, h) => heap.offer(h));
          const kept = [...heap.sorted()];
          const gone = kept[r % kept.length]!;
          heap.remove(gone);
          expect(heap.has(gone)).toBe(false);
          expect(positions.get(gone)).toBe(-1);
          expect([...heap.sorted()]).toEqual(kept.filter((h) => h !== gone));
          const newcomer = values.length; // value -1: best of all
          expect(heap.accepts(newcomer)).toBe(true);
          heap.offer(newcomer);
          expect(heap.sorted()[0]).toBe(newcomer);
        }
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

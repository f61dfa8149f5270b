import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateItems, bootstrapMeanCI, summarizeScores, type ReportItem } from "../../src/index.js";

const itemArb = fc.record({
  score: fc.double({ min: 0, max: 1, noNaN: true }),
  other: fc.double({ min: 0, max: 1, noNaN: true }),
  category: fc.constantFrom("a", "b", "c", null),
  section: fc.constantFrom("core", null),
  difficulty: fc.constantFrom("easy", "hard", null),
});

function toItems(rows: { score: number; other: number; category: string | null; section: string | null; difficulty: string | null }[]): ReportItem[] {
  return rows.map((r, i) => ({
    item_id: `id-${i.toString(36)}`,
    category: r.category,
    section: r.section,
    difficulty: r.difficulty,
    extraction_method: "answer_line",
    extracted: null,
    scores: { m: r.score, o: r.other },
  }));
}

describe("aggregateItems", () => {
  it("is bit-identical for every permutation of the items (property)", () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 60 }), fc.integer(), (rows, permSeed) => {
        const items = toItems(rows);
        const permuted = [...items];
        let s = permSeed >>> 0;
        for (let i = permuted.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          [permuted[i], permuted[j]] = [permuted[j]!, permuted[i]!];
        }
        const a = aggregateItems(items, ["m", "o"], { seed: 9, resamples: 50 });
        const b = aggregateItems(permuted, ["m", "o"], { seed: 9, resamples: 50 });
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 60, seed: 6 },
    );
  });

  it("compensated mean is exact where naive summation drifts", () => {
    const values = [1e16, 1, -1e16, 1];
    expect(values.reduce((x, y) => x + y, 0) / 4).not.toBe(0.5);
    expect(summarizeScores(values).mean).toBe(0.5);
    const tenths = Array.from({ length: 10 }, () => 0.1);
    expect(summarizeScores(tenths)).toEqual({ n: 10, mean: 0.1, std: 0, min: 0.1, max: 0.1 });
  });

  it("population std, min, max and group means", () => {
    const items = toItems([
      { score: 1, other: 0, category: "a", section: "core", difficulty: "easy" },
      { score: 0, other: 0, category: "a", section: null, difficulty: "easy" },
      { score: 1, other: 1, category: "b", section: "core", difficulty: null },
      { score: 1, other: 1, category: null, section: null, difficulty: null },
    ]);
    const m = aggregateItems(items, ["m"], { seed: 1, resamples: 100 }).m!;
    expect(m).toMatchObject({ n: 4, mean: 0.75, std: Math.sqrt(0.1875), min: 0, max: 1 });
    expect(m.by_category).toEqual({ a: { n: 2, mean: 0.5 }, b: { n: 1, mean: 1 } });
    expect(m.by_section).toEqual({ core: { n: 2, mean: 1 } });
    expect(m.by_difficulty).toEqual({ easy: { n: 2, mean: 0.5 } });
    expect(() => aggregateItems(items, ["missing"], { seed: 1 })).toThrow(/item id-0 has no score for metric missing/);
  });

  it("bootstrap CI is seeded, ordered and sane", () => {
    const values = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const a = bootstrapMeanCI(values, { seed: "s", resamples: 1000 });
    expect(bootstrapMeanCI(values, { seed: "s", resamples: 1000 })).toEqual(a);
    expect(bootstrapMeanCI(values, { seed: "t", resamples: 1000 })).not.toEqual(a);
    expect(a.low).toBeLessThan(0.34);
    expect(a.high).toBeGreaterThan(0.34);
    // Normal approximation: 0.34 ± 1.96·sqrt(0.34·0.66/100) ≈ [0.247, 0.433].
    expect(a.low).toBeGreaterThan(0.2);
    expect(a.high).toBeLessThan(0.48);
    expect(bootstrapMeanCI([0.7], { seed: 1 })).toMatchObject({ low: 0.7, high: 0.7 });
    expect(() => bootstrapMeanCI(values, { seed: 1, resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapMeanCI(values, { seed: 1, level: 1 })).toThrow(RangeError);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CandidatePool, PROBE } from "../../src/dataset/candidates.js";
import { sha256Hex } from "../../src/internal/hash.js";

const time = fc.oneof(
  fc.date({ min: new Date(Date.UTC(0, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("+010000-01-01T00:00:00.000Z", "-000001-06-01T00:00:00.000Z", "2026-01-01T00:00:00Z", "2026-02-30T00:00:00.000Z", "2026-01-01T00:00:00.000Z", ""),
);

describe("CandidatePool", () => {
  it("orders creation times exactly as the strings order, whatever their format", () => {
    fc.assert(
      fc.property(fc.array(time, { minLength: 2, maxLength: 30 }), (times) => {
        const pool = new CandidatePool();
        times.forEach((t, i) => {
          pool.setProbe({ id: `id-${i}`, contentHash: sha256Hex(String(i)), createdAt: t, rank: i, stratum: 0 });
          expect(pool.admit(1, 2, "")).toBe(i);
        });
        for (let a = 0; a < times.length; a++) {
          for (let b = 0; b < times.length; b++) {
            const want = times[a]! < times[b]! ? -1 : times[a]! > times[b]! ? 1 : 0;
            expect(Math.sign(pool.compareTime(a, b))).toBe(want);
          }
          pool.setProbe({ id: "p", contentHash: sha256Hex("p"), createdAt: times[0]!, rank: 0, stratum: 0 });
          expect(Math.sign(pool.compareTime(PROBE, a))).toBe(times[0]! < times[a]! ? -1 : times[0]! > times[a]! ? 1 : 0);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("gives back each slot's fields, and packs the ids and hashes of a selection", () => {
    const pool = new CandidatePool();
    for (let i = 0; i < 3000; i++) {
      pool.setProbe({ id: `t-${i}`, contentHash: sha256Hex(String(i)), createdAt: "", rank: i / 7, stratum: i % 3 });
      pool.admit(i % 5, i * 3, i % 2 ? `g${i}` : "");
    }
    expect([pool.id(2999), pool.contentHash(7), pool.rank(14), pool.stratum(5), pool.steps(9), pool.chars(9), pool.group(3), pool.group(4)]).toEqual([
      "t-2999", sha256Hex("7"), 2, 2, 4, 27, "g3", "",
    ]);
    const picked = Int32Array.from([5, 2999, 0]);
    expect(pool.packedIds(picked).toArray()).toEqual(["t-5", "t-2999", "t-0"]);
    expect(pool.packedHashes(picked).toArray()).toEqual([sha256Hex("5"), sha256Hex("2999"), sha256Hex("0")]);
  });
});

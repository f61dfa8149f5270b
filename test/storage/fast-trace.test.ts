import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/internal/canonical-json.js";
import { safeParseTrace } from "../../src/schema/index.js";
import { fastCanonicalJson, fastParseTrace } from "../../src/storage/fast-trace.js";
import { hasReference, referencePath } from "../helpers/reference.js";

const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "🙂", "a".repeat(65), "\u0000", "\ud800") },
);
const json = fc.jsonValue({ maxDepth: 3 });
const weird = fc.constantFrom<unknown>(undefined, Infinity, NaN, new Date(0), [1, , 2], () => 1, Symbol("s"), 2 ** 60, -1, 1.5, { __proto__: null, a: 1 }, JSON.parse('{"__proto__": 1}'));
const value = fc.oneof({ weight: 3, arbitrary: json }, { weight: 1, arbitrary: weird });
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: value });
const step = fc.record(
  { i: mostly(fc.nat(1000)), type: mostly(text), content: mostly(text), extra: value },
  { requiredKeys: ["i", "type", "content"] },
);
const trace = fc.record(
  {
    trace_version: mostly(text),
    prompt: mostly(text),
    final_answer: mostly(text),
    steps: mostly(fc.array(step, { minLength: 1, maxLength: 4 })),
    meta: mostly(fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 4 }))),
    other: value,
  },
  { requiredKeys: ["trace_version", "prompt", "final_answer", "steps"] },
);

describe("fastParseTrace", () => {
  it("accepts only what zod accepts, with byte-identical output and canonical JSON", () => {
    let accepted = 0;
    fc.assert(
      fc.property(trace, (t) => {
        const fast = fastParseTrace(t);
        if (fast === undefined) return;
        accepted++;
        const slow = safeParseTrace(t);
        expect(slow.success).toBe(true);
        if (!slow.success) return;
        expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
        expect(fastCanonicalJson(fast)).toBe(canonicalJson(slow.data));
      }),
      { numRuns: 3000, seed: 42 },
    );
    expect(accepted).toBeGreaterThan(20);
  });

  it.skipIf(!hasReference)("takes the fast path for every trace of the reference dataset", () => {
    const lines = readFileSync(referencePath("tunix-rt", "dev-reasoning-v2.dataset.jsonl"), "utf8").trim().split("\n");
    for (const l of lines) {
      const v = JSON.parse(l) as unknown;
      const fast = fastParseTrace(v);
      expect(fast).toBeDefined();
      expect(fastCanonicalJson(fast)).toBe(canonicalJson(v));
    }
  });
});

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/internal/canonical-json.js";
import { safeParseTrace } from "../../src/schema/index.js";
import { fastCanonicalJson, fastCanonicalTraceJson, fastParseTrace, plainTextsFromBody } from "../../src/storage/fast-trace.js";
import { encodePlainBody, encodeTrace } from "../../src/storage/encode.js";
import { hashJson, sha256Hex } from "../../src/internal/hash.js";
import { hasReference, referencePath } from "../helpers/reference.js";

const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "🙂", "a".repeat(65), "\u0000", "\ud800") },
);
const json = fc.jsonValue({ maxDepth: 3 });
const weird = fc.constantFrom<unknown>(undefined, Infinity, NaN, new Date(0), [1, , 2], () => 1, Symbol("s"), 2 ** 60, -1, 1.5, { __proto__: null, a: 1 }, JSON.parse('{"__proto__": 1}'));
const value = fc.oneof({ weight: 3, arbitrary: json }, { weight: 1, arbitrary: weird });
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: value });
// Keys V8 lists out of insertion order (integer-like) or that canonical sorting moves around; rare, so most
// accepted traces take fastCanonicalTraceJson's sorted-copy path and some its fallback.
const key = fc.oneof({ weight: 12, arbitrary: fc.string({ maxLength: 4 }).filter((k) => !/^[0-9]/.test(k)) }, { weight: 1, arbitrary: fc.constantFrom("0", "1", "10", "9", "01", "1a") }, { weight: 2, arbitrary: fc.constantFrom("Z", "a", "é", "🙂", "-1") });
/** Sometimes adds an integer-like key to generated objects. */
const withDigitKey = <T extends object>(arb: fc.Arbitrary<T>, k: string): fc.Arbitrary<T> =>
  fc.tuple(arb, fc.nat(9), value).map(([o, n, v]) => (n === 0 ? { ...o, [k]: v } : o));
const step = withDigitKey(fc.record(
  { i: mostly(fc.nat(1000)), type: mostly(text), content: mostly(text), extra: value },
  { requiredKeys: ["i", "type", "content"] },
), "2");
/** Steps as generated (random `i`), or renumbered 0, 1, 2, ... (the usual shape), sometimes repeating one. */
const steps = fc
  .tuple(fc.array(step, { minLength: 1, maxLength: 4 }), fc.constantFrom("random", "sequential", "sequential", "repeat"))
  .map(([list, how]) => {
    if (how === "random") return list;
    const out = list.map((s, k) => ({ ...s, i: k }));
    if (how === "repeat" && out.length > 1) out[out.length - 1]!.i = 0;
    return out;
  });
const trace = withDigitKey(fc.record(
  {
    trace_version: mostly(text),
    prompt: mostly(text),
    final_answer: mostly(text),
    steps: mostly(steps),
    meta: mostly(fc.oneof(fc.constant(null), fc.dictionary(key, value, { maxKeys: 5 }))),
    other: value,
  },
  { requiredKeys: ["trace_version", "prompt", "final_answer", "steps"] },
), "10");

describe("fastParseTrace / fastCanonicalTraceJson", () => {
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
        expect(fastCanonicalTraceJson(fast)).toBe(canonicalJson(slow.data));
      }),
      { numRuns: 4000, seed: 42 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it("encodeTrace: body, meta JSON and content hash are those of zod's output (fast path or not); encodePlainBody agrees", () => {
    let uncopied = 0;
    const check = (t: unknown): void => {
      const enc = encodeTrace(t);
      const slow = safeParseTrace(t);
      let hash: string | undefined;
      try {
        hash = slow.success ? hashJson(slow.data) : undefined;
      } catch {
        // zod lets unknown keys hold anything; encodeTrace must name the value that is not JSON
        expect("issues" in enc && enc.issues[0]!.code === "not_json" && enc.issues[0]!.path.length > 0).toBe(true);
        return;
      }
      expect("issues" in enc).toBe(!slow.success);
      if ("issues" in enc || !slow.success) return;
      expect(enc.body).toBe(JSON.stringify(slow.data));
      if (enc.trace === t) {
        uncopied++;
        // What a SQLite writer thread derives from the JSON text alone of such a trace (a plain record):
        // cut from the text (never the parsing fallback), and the fallback agrees (indented text).
        const cut = plainTextsFromBody(JSON.stringify(t));
        expect(cut).toBeDefined();
        expect(cut!.metaJson).toBe(enc.metaJson);
        expect(sha256Hex(cut!.canonical)).toBe(enc.contentHash);
        expect(encodePlainBody(JSON.stringify(t))).toEqual({ metaJson: enc.metaJson, contentHash: enc.contentHash });
        expect(plainTextsFromBody(JSON.stringify(t, null, 1))).toBeUndefined();
        expect(encodePlainBody(JSON.stringify(t, null, 1))).toEqual({ metaJson: enc.metaJson, contentHash: enc.contentHash });
      }
      const meta = slow.data.meta;
      expect(enc.metaJson).toBe(meta === null || meta === undefined ? null : JSON.stringify(meta));
      expect(enc.contentHash).toBe(hash);
    };
    fc.assert(fc.property(trace, check), { numRuns: 3000, seed: 7 });
    // Inputs already in the schema's shape (uncopied, meta cut from the body), with JSON-looking texts.
    const looks = fc.oneof(text, fc.constantFrom(',"meta":', '","meta":{', '\\",', "\\"));
    const plainShape = fc.record({
      trace_version: looks,
      prompt: looks,
      final_answer: looks,
      steps: fc.array(fc.record({ type: looks, content: looks }), { minLength: 1, maxLength: 3 }).map((l) => l.map((x, i) => ({ i, type: x.type, content: x.content }))),
      meta: fc.oneof(fc.constant(null), fc.dictionary(fc.oneof(key, fc.constant("meta")), fc.oneof(json, looks), { maxKeys: 4 })),
    });
    fc.assert(fc.property(plainShape, check), { numRuns: 1000, seed: 8 });
    // Uncopied inputs get both texts from shared pieces: texts that look like JSON structure must come
    // out escaped, and meta keys V8 reorders must still be sorted.
    const tricky = ',"meta":{"x":1}}';
    check({ trace_version: tricky, prompt: `a${tricky}`, final_answer: '",\\"meta":', steps: [{ i: 0, type: tricky, content: '\\",' + tricky }], meta: { meta: { meta: tricky }, [tricky]: 1 } });
    check({ trace_version: "1", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }], meta: {} });
    check({ trace_version: "1", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }], meta: { b: 1, "10": 2, "2": { "1": 0, a: 1 } } });
    check({ trace_version: "1", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c", meta: { z: 1 } }], meta: { a: [1, { meta: 2 }] } });
    expect(uncopied).toBeGreaterThan(500);
  });

  it("plainTextsFromBody declines texts that are not JSON.stringify of a plain-shape trace", () => {
    const t = { trace_version: "1", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }], meta: { a: 1 } };
    expect(plainTextsFromBody(JSON.stringify(t))).toEqual({ canonical: canonicalJson(t), metaJson: '{"a":1}' });
    for (const bad of [
      JSON.stringify({ ...t, extra: 1 }),
      JSON.stringify({ prompt: "p", trace_version: "1", final_answer: "a", steps: t.steps }),
      JSON.stringify({ ...t, steps: [{ type: "t", i: 0, content: "c" }] }),
      JSON.stringify({ ...t, steps: [{ i: -1, type: "t", content: "c" }] }),
      JSON.stringify({ ...t, steps: [] }),
      JSON.stringify({ ...t, meta: [1] }),
      JSON.stringify(t).slice(0, -1),
      JSON.stringify(t).replace('"p"', '"p\\"'),
      '{"trace_version":"1',
      "",
    ]) expect(plainTextsFromBody(bad)).toBeUndefined();
  });

  it("encodePlainBody rejects a body that is not a plain-shape trace with INVALID_ARGUMENT", () => {
    const t = { trace_version: "1", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }] };
    for (const bad of ["", "{", "[1]", JSON.stringify({ ...t, steps: [] }), JSON.stringify({ prompt: "p", trace_version: "1", final_answer: "a", steps: t.steps }), JSON.stringify({ ...t, extra: 1 })]) {
      expect(() => encodePlainBody(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    }
  });

  it.skipIf(!hasReference)("takes the fast path for every trace of the reference dataset", () => {
    const lines = readFileSync(referencePath("tunix-rt", "dev-reasoning-v2.dataset.jsonl"), "utf8").trim().split("\n");
    for (const l of lines) {
      const v = JSON.parse(l) as unknown;
      const fast = fastParseTrace(v);
      expect(fast).toBeDefined();
      expect(fastCanonicalTraceJson(fast!)).toBe(canonicalJson(v));
    }
  });
});

describe("fastCanonicalTraceJson", () => {
  it("sorts keys at every level, including integer-like keys and unknown keys, as canonicalJson does", () => {
    const t = {
      trace_version: "1",
      prompt: "p",
      final_answer: "a",
      steps: [{ i: 0, type: "t", content: "c", z: [{ b: 1, a: { d: 1, c: 2 } }], "1": true }],
      meta: { b: [3, { y: 1, x: null }], a: "x", "10": 1, "9": 2 },
      zeta: { k: 1, j: 2 },
      "7": "seven",
    };
    const fast = fastParseTrace(t)!;
    expect(fastCanonicalTraceJson(fast)).toBe(canonicalJson(t));
    const { "7": _, ...noDigitTop } = t;
    expect(fastCanonicalTraceJson(fastParseTrace({ ...noDigitTop, meta: { b: 1, a: 2 } })!)).toBe(canonicalJson({ ...noDigitTop, meta: { b: 1, a: 2 } }));
  });
});

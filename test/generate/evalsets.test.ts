import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ARITHMETIC_EVAL_SEED,
  ARITHMETIC_TRAINING_MIX,
  DEFAULT_MIX,
  GENERATOR_NAMES,
  REASONING_EVAL_SEED,
  buildArithmeticEvalSet,
  buildReasoningEvalSet,
  evalItemsToJsonl,
  generateTraces,
  isHeldOutPrompt,
} from "../../src/generate/index.js";
import { checkContamination, loadEvalSet } from "../../src/eval/index.js";

const root = resolve(__dirname, "../..");
const read = (name: string) => readFileSync(resolve(root, "evalsets", name), "utf8");
const rows = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, string>);

describe("shipped eval sets", () => {
  it("evalsets/*.jsonl are exactly what scripts/make-evalsets.ts regenerates", () => {
    expect(read("arithmetic-v1.jsonl")).toBe(evalItemsToJsonl(buildArithmeticEvalSet()));
    expect(read("reasoning-v1.jsonl")).toBe(evalItemsToJsonl(buildReasoningEvalSet()));
  });

  it("arithmetic-v1: ≥ 200 held-out 2-/3-digit addition and subtraction items with carries or borrows, answers recomputed", () => {
    const items = rows(read("arithmetic-v1.jsonl"));
    expect(items.length).toBeGreaterThanOrEqual(200);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(new Set(items.map((i) => i.prompt)).size).toBe(items.length);
    const groups = new Map<string, number>();
    for (const it of items) {
      expect(Object.keys(it)).toEqual(["id", "prompt", "expected_answer", "category", "difficulty", "section"]);
      expect(isHeldOutPrompt(it.prompt!)).toBe(true);
      const [, a, op, b] = /^What is (\d+) ([+-]) (\d+)\?$/.exec(it.prompt!)!;
      const x = Number(a);
      const y = Number(b);
      const digits = Math.max(a!.length, b!.length);
      expect(it.difficulty).toBe(`${digits}-digit`);
      expect([2, 3]).toContain(digits);
      expect(it.category).toBe("arithmetic");
      expect(it.section).toBe(op === "+" ? "addition" : "subtraction");
      expect(it.expected_answer).toBe(String(op === "+" ? x + y : x - y));
      // at least one carry / borrow: some column overflows or underflows
      let regroup = false;
      for (let k = 0, c = 0; k < digits; k++) {
        const dx = Math.floor(x / 10 ** k) % 10;
        const dy = Math.floor(y / 10 ** k) % 10;
        const v = op === "+" ? dx + dy + c : dx - dy - c;
        c = op === "+" ? (v >= 10 ? 1 : 0) : v < 0 ? 1 : 0;
        regroup ||= c === 1;
      }
      expect(regroup, it.prompt).toBe(true);
      groups.set(`${it.section}/${it.difficulty}`, (groups.get(`${it.section}/${it.difficulty}`) ?? 0) + 1);
    }
    expect(Object.fromEntries(groups)).toEqual({ "addition/2-digit": 60, "subtraction/2-digit": 60, "addition/3-digit": 60, "subtraction/3-digit": 60 });
  });

  it("both sets load with loadEvalSet (the Python eval JSONL shape) and pass its contamination check", async () => {
    const arith = await loadEvalSet(resolve(root, "evalsets/arithmetic-v1.jsonl"), { minItems: 200 });
    const mixed = await loadEvalSet(resolve(root, "evalsets/reasoning-v1.jsonl"));
    expect(arith.name).toBe("arithmetic-v1");
    expect(arith.items).toHaveLength(240);
    expect(mixed.items).toHaveLength(120);
    const training = [...generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 5000, seed: "demo" })];
    expect((await checkContamination(arith, training)).contaminated).toEqual([]);
    expect((await checkContamination(mixed, [...generateTraces({ count: 3000, seed: "demo" })])).contaminated).toEqual([]);
  });

  it("arithmetic-v1 shares no prompt with the default training mixes (different seed, held-out partition)", () => {
    const evalPrompts = new Set(rows(read("arithmetic-v1.jsonl")).map((i) => i.prompt));
    for (const seed of ["demo", 0, 1, ARITHMETIC_EVAL_SEED]) {
      for (const t of generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 5000, seed })) expect(evalPrompts.has(t.prompt)).toBe(false);
    }
    for (const t of generateTraces({ mix: DEFAULT_MIX, count: 2000, seed: "demo" })) expect(evalPrompts.has(t.prompt)).toBe(false);
    // the eval set's own seed, with the held-out partition ignored, does overlap: the partition is what holds it out
    const overlap = [...generateTraces({ mix: [{ generator: "arithmetic", options: { digits: 2 } }], count: 20_000, seed: 9, holdout: "ignore" })].filter((t) =>
      evalPrompts.has(t.prompt),
    );
    expect(overlap.length).toBeGreaterThan(0);
  });

  it("reasoning-v1 covers every generator category with held-out prompts", () => {
    const items = rows(read("reasoning-v1.jsonl"));
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(new Set(items.map((i) => i.category))).toEqual(new Set(["arithmetic", "word_problem", "string", "logic", "game", "edge_case"]));
    expect(items.length).toBe(20 * GENERATOR_NAMES.length);
    for (const it of items) {
      expect(isHeldOutPrompt(it.prompt!)).toBe(true);
      expect(it.expected_answer).not.toBe("");
      expect(it.difficulty).not.toBe("unknown");
    }
    const sections = new Set(items.map((i) => i.section));
    for (const s of ["addition", "subtraction", "multiplication", "distance", "percentage", "unit_price", "syllogism", "decision", "outcome"]) {
      expect(sections.has(s), s).toBe(true);
    }
    expect(ARITHMETIC_EVAL_SEED).not.toBe(REASONING_EVAL_SEED);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  answersMatch,
  baselineScore,
  COMMON_UNITS,
  customScorer,
  exactAnswer,
  extractAnswer,
  formatCompliance,
  llmJudgeScorer,
  normalizeForScoring,
  numericTolerance,
  splitAlternatives,
  stepCount,
  traceBaselineScore,
  type EvalItem,
  type LLMJudge,
  type Scorer,
} from "../../src/index.js";
import { pythonRound } from "../../src/internal/py-round.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/python-round.json", import.meta.url), "utf8")) as {
  round: { x: number; r2: number; r0: number; r3: number }[];
  baseline: { lens: number[]; score: number; avg_step_length: number; step_score: number; length_score: number }[];
};

describe("pythonRound matches Python's round()", () => {
  it("on 1500 values from python3 (ties, near-ties, large, tiny, negative)", () => {
    for (const { x, r2, r0, r3 } of fixture.round) {
      expect([x, pythonRound(x, 2)]).toEqual([x, r2]);
      expect([x, pythonRound(x, 0)]).toEqual([x, r0 === 0 && x < 0 ? -0 : r0]);
      expect([x, pythonRound(x, 3)]).toEqual([x, r3]);
    }
  });

  it("rounds exact binary ties to even where toFixed rounds up", () => {
    expect(pythonRound(0.125, 2)).toBe(0.12);
    expect((0.125).toFixed(2)).toBe("0.13");
    expect(pythonRound(0.375, 2)).toBe(0.38);
    expect(pythonRound(2.5, 0)).toBe(2);
    expect(pythonRound(2.675, 2)).toBe(2.67); // binary value is below the tie
    expect(pythonRound(Number.NaN, 2)).toBeNaN();
  });
});

describe("traceBaselineScore = Python baseline_score", () => {
  it("on 400 random traces computed by python3", () => {
    for (const row of fixture.baseline) {
      const steps = row.lens.map((n) => "x".repeat(n));
      const r = traceBaselineScore(steps);
      expect({ score: r.score, avg: r.avg_step_length, s: r.step_score, l: r.length_score }).toEqual({
        score: row.score,
        avg: row.avg_step_length,
        s: row.step_score,
        l: row.length_score,
      });
    }
  });

  it("counts code points like Python len() and accepts a trace", () => {
    const r = traceBaselineScore({ steps: [{ content: "😀".repeat(250) }, { content: "a".repeat(250) }] });
    expect(r).toEqual({ score: 35, step_count: 2, avg_step_length: 250, total_chars: 500, step_score: 10, length_score: 25 });
    expect(traceBaselineScore([]).score).toBe(0);
  });
});

describe("normalization", () => {
  it.each([
    ["15.0", "15", {}, true],
    ["1,000", "1000", {}, true],
    ["1,000", "1000", { thousandsSeparators: false }, false],
    ["PARIS.", "Paris", {}, true],
    ["PARIS", "Paris", { caseSensitive: true }, false],
    ["  red,  blue , yellow ", "red, blue, yellow", {}, true],
    ["1/2", "0.5", {}, false],
    ["1/2", "0.5", { fractions: true }, true],
    ["120", "120 km", {}, false],
    ["120", "120 km", { units: ["km"] }, true],
    ["$5", "5", { units: COMMON_UNITS }, true],
    ["50%", "0.5 or 50%", {}, true],
    ["0.5", "0.5 or 50%", {}, true],
    ["0.50", "0.5 or 50%", {}, true],
    ["0.6", "0.5 or 50%", {}, false],
    ["**42**", "42", {}, true],
    ["-0", "0", {}, true],
    ["1e3", "1000", {}, true],
    ["true", "True", {}, true],
    ["１５", "15", {}, true],
  ] as const)("%j vs %j %j → %s", (got, want, opts, ok) => {
    expect(answersMatch(got, want, opts)).toBe(ok);
  });

  it("splits alternatives on ' or ' only", () => {
    expect(splitAlternatives("0.5 or 50%")).toEqual(["0.5", "50%"]);
    expect(splitAlternatives("orange")).toEqual(["orange"]);
    expect(normalizeForScoring("3.50")).toEqual({ text: "3.5", value: 3.5 });
  });
});

describe("extractAnswer records its method", () => {
  it.each([
    ["Reasoning:\n1. 15 + 27 = 42\nAnswer: 42<end_of_turn>\njunk 99", "42", "answer_line"],
    ["<reasoning>\n1. add\n</reasoning>\n<answer>42</answer>", "42", "answer_tag"],
    ["so the total is \\boxed{42} indeed", "42", "boxed"],
    ["We add them.\nThe answer is Paris.", "Paris", "answer_phrase"],
    ["15 plus 27 gives 42 in total", "42", "last_number"],
    ["I think\nParis", "Paris", "last_line"],
    ["", null, "none"],
    ["   \n<end_of_turn>42", null, "none"],
  ] as const)("%j → %j via %s", (response, answer, method) => {
    const r = extractAnswer(response);
    expect(r.answer).toBe(answer);
    expect(r.method).toBe(method);
  });

  it("can be restricted to strict methods", () => {
    expect(extractAnswer("the result: 42", { methods: ["answer_line", "answer_tag"] })).toMatchObject({ answer: null, method: "none" });
  });
});

const item: EvalItem = { id: "x", prompt: "What is 15 + 27?", expected_answer: "42" };
const run = async (scorer: Scorer, response: string, it: EvalItem = item) =>
  scorer.score({ item: it, response, extraction: extractAnswer(response) });
const GOOD = "Reasoning:\n1. Add the ones: 5 + 7 = 12, carry 1.\n2. Add the tens: 1 + 2 + 1 = 4.\nAnswer: 42";

describe("scorers", () => {
  it("exactAnswer", async () => {
    expect((await run(exactAnswer(), GOOD)).score).toBe(1);
    expect((await run(exactAnswer(), "Answer: 41")).score).toBe(0);
    expect(await run(exactAnswer(), "")).toEqual({ score: 0, details: { reason: "no answer found" } });
  });

  it("numericTolerance", async () => {
    const pi = { ...item, expected_answer: "3.14" };
    expect((await run(numericTolerance({ absTol: 0.01 }), "Answer: 3.1416", pi)).score).toBe(1);
    expect((await run(numericTolerance(), "Answer: 3.1416", pi)).score).toBe(0);
    expect((await run(numericTolerance(), "Answer: 1/216", { ...item, expected_answer: "0.004629629629629629" })).score).toBe(1);
    expect((await run(numericTolerance(), "Answer: Paris", { ...item, expected_answer: "Paris" })).details).toEqual({ reason: "answer is not a number" });
    expect((await run(numericTolerance(), "Answer: 3", { ...item, expected_answer: "Paris" })).details).toEqual({ reason: "expected answer is not a number" });
  });

  it("formatCompliance, optionally requiring <end_of_turn>", async () => {
    expect((await run(formatCompliance(), GOOD)).score).toBe(1);
    expect((await run(formatCompliance(), "42")).score).toBe(0);
    expect((await run(formatCompliance({ requireEndOfTurn: true }), GOOD)).score).toBe(0);
    expect((await run(formatCompliance({ requireEndOfTurn: true }), GOOD + "<end_of_turn>")).score).toBe(1);
  });

  it("stepCount and baselineScore read the parsed steps", async () => {
    expect(await run(stepCount({ min: 2, max: 3 }), GOOD)).toEqual({ score: 1, details: { step_count: 2 } });
    expect((await run(stepCount({ min: 3 }), GOOD)).score).toBe(0);
    const b = await run(baselineScore(), GOOD);
    expect(b.details).toMatchObject({ step_count: 2 });
    expect(b.score).toBeCloseTo((b.details!.baseline_score as number) / 100, 12);
  });

  it("customScorer and an LLM judge (fake, no network)", async () => {
    const len = customScorer("short", ({ response }) => (response.length < 10 ? 1 : 0));
    expect(await run(len, "Answer: 42")).toEqual({ score: 0 });
    const judge: LLMJudge = {
      name: "fake-judge",
      judge: async ({ extracted, item: i }) => ({ score: extracted === i.expected_answer ? 1 : 0, rationale: `saw ${extracted}` }),
    };
    expect(await run(llmJudgeScorer(judge), GOOD)).toEqual({ score: 1, details: { judge: "fake-judge", rationale: "saw 42" } });
  });
});

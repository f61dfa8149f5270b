import type { EvalItem } from "./eval-set.js";
import type { Extraction } from "./extract.js";
import { answersMatch, normalizeForScoring, splitAlternatives, type AnswerMatchOptions } from "./normalize.js";
import { traceBaselineScore } from "./baseline-score.js";

/** JSON-compatible detail values a scorer may attach to an item's score. */
export type ScoreDetails = Record<string, string | number | boolean | null | readonly (string | number)[]>;

/** What a scorer sees for one item. */
export interface ScoreInput {
  /** The eval item. */
  item: EvalItem;
  /** The raw model response. */
  response: string;
  /** The extracted answer, its method, and the parsed response (steps, well-formedness). */
  extraction: Extraction;
}

/** One scorer's verdict on one item. */
export interface ScoreResult {
  /** Score in [0, 1]. */
  score: number;
  /** Optional explanation (plain JSON). */
  details?: ScoreDetails;
}

/**
 * A scorer: item + response → score in [0, 1]. `name` becomes the metric name in reports (snake_case,
 * unique within one evaluation).
 */
export interface Scorer {
  /** Metric name, e.g. `exact_answer`. */
  readonly name: string;
  /** Scores one item. May be async (an LLM judge, for example). */
  score(input: ScoreInput): ScoreResult | Promise<ScoreResult>;
}

/** Options for {@link exactAnswer}: normalization switches plus an optional metric name. */
export interface ExactAnswerOptions extends AnswerMatchOptions {
  /** Metric name (default `exact_answer`). */
  name?: string;
}

/**
 * 1 when the extracted answer equals the expected answer (or one of its ` or ` alternatives) after
 * normalization, else 0. A response with no extractable answer scores 0.
 *
 * @param options - normalization switches (see {@link AnswerMatchOptions}) and the metric name.
 */
export function exactAnswer(options: ExactAnswerOptions = {}): Scorer {
  const { name = "exact_answer", ...norm } = options;
  return {
    name,
    score({ item, extraction }): ScoreResult {
      if (extraction.answer === null) return { score: 0, details: { reason: "no answer found" } };
      const ok = answersMatch(extraction.answer, item.expected_answer, norm);
      return { score: ok ? 1 : 0, details: { normalized: normalizeForScoring(extraction.answer, norm).text } };
    },
  };
}

/** Options for {@link numericTolerance}. */
export interface NumericToleranceOptions extends AnswerMatchOptions {
  /** Metric name (default `numeric_tolerance`). */
  name?: string;
  /** Absolute tolerance (default 0). */
  absTol?: number;
  /** Relative tolerance, as a fraction of |expected| (default 1e-9). */
  relTol?: number;
}

/**
 * 1 when the extracted answer is a number within tolerance of the expected number (any alternative),
 * else 0. `fractions` defaults to true here. Non-numeric expected answers score 0 with a reason.
 *
 * @param options - tolerances, normalization switches and the metric name.
 */
export function numericTolerance(options: NumericToleranceOptions = {}): Scorer {
  const { name = "numeric_tolerance", absTol = 0, relTol = 1e-9, ...rest } = options;
  if (!(absTol >= 0) || !(relTol >= 0)) throw new RangeError("numericTolerance: absTol and relTol must be >= 0");
  const norm: AnswerMatchOptions = { fractions: true, ...rest, numeric: true };
  return {
    name,
    score({ item, extraction }): ScoreResult {
      if (extraction.answer === null) return { score: 0, details: { reason: "no answer found" } };
      const got = normalizeForScoring(extraction.answer, norm).value;
      if (got === undefined) return { score: 0, details: { reason: "answer is not a number" } };
      const wants = splitAlternatives(item.expected_answer)
        .map((a) => normalizeForScoring(a, norm).value)
        .filter((v): v is number => v !== undefined);
      if (wants.length === 0) return { score: 0, details: { reason: "expected answer is not a number" } };
      const ok = wants.some((want) => Math.abs(got - want) <= Math.max(absTol, relTol * Math.abs(want)));
      return { score: ok ? 1 : 0, details: { value: got } };
    },
  };
}

/** Options for {@link formatCompliance}. */
export interface FormatComplianceOptions {
  /** Metric name (default `format_compliance`). */
  name?: string;
  /** Also require `<end_of_turn>` in the raw response (set when the generator returns it; default false). */
  requireEndOfTurn?: boolean;
}

/**
 * 1 when the response is well-formed reasoning + answer (as `parseResponse` judges it) and, when asked,
 * contains `<end_of_turn>`; else 0.
 *
 * @param options - metric name and the end-of-turn requirement.
 */
export function formatCompliance(options: FormatComplianceOptions = {}): Scorer {
  const { name = "format_compliance", requireEndOfTurn = false } = options;
  return {
    name,
    score({ response, extraction }) {
      const hasEot = response.includes("<end_of_turn>");
      const ok = extraction.parsed.wellFormed && (!requireEndOfTurn || hasEot);
      return {
        score: ok ? 1 : 0,
        details: { well_formed: extraction.parsed.wellFormed, style: extraction.parsed.style, has_end_of_turn: hasEot },
      };
    },
  };
}

/** Options for {@link stepCount}. */
export interface StepCountOptions {
  /** Metric name (default `step_count`). */
  name?: string;
  /** Fewest acceptable steps (default 1). */
  min?: number;
  /** Most acceptable steps (default unlimited). */
  max?: number;
}

/**
 * 1 when the number of reasoning steps lies in [min, max], else 0; the count is in `details.step_count`.
 *
 * @param options - metric name and bounds.
 */
export function stepCount(options: StepCountOptions = {}): Scorer {
  const { name = "step_count", min = 1, max = Infinity } = options;
  return {
    name,
    score({ extraction }) {
      const n = extraction.parsed.steps.length;
      return { score: n >= min && n <= max ? 1 : 0, details: { step_count: n } };
    },
  };
}

/**
 * The Python tunix-rt structural `baseline_score` of the response's reasoning steps, scaled to [0, 1]
 * (`details.baseline_score` holds the 0–100 value, rounded like Python's `round(x, 2)`). It measures
 * shape (step count and length), not correctness.
 *
 * @param options - metric name (default `baseline_score`).
 */
export function baselineScore(options: { name?: string } = {}): Scorer {
  const { name = "baseline_score" } = options;
  return {
    name,
    score({ extraction }) {
      const r = traceBaselineScore(extraction.parsed.steps);
      return {
        score: r.score / 100,
        details: {
          baseline_score: r.score,
          step_count: r.step_count,
          avg_step_length: r.avg_step_length,
          total_chars: r.total_chars,
        },
      };
    },
  };
}

/**
 * Wraps a function as a {@link Scorer}. It may return a number in [0, 1] or a {@link ScoreResult}.
 *
 * @param name - metric name.
 * @param fn - the scoring function (may be async).
 */
export function customScorer(
  name: string,
  fn: (input: ScoreInput) => number | ScoreResult | Promise<number | ScoreResult>,
): Scorer {
  return {
    name,
    async score(input) {
      const r = await fn(input);
      return typeof r === "number" ? { score: r } : r;
    },
  };
}

/** What an {@link LLMJudge} is asked to grade. */
export interface JudgeRequest {
  /** The eval item (prompt and expected answer). */
  item: EvalItem;
  /** The raw model response. */
  response: string;
  /** The extracted answer, or null. */
  extracted: string | null;
}

/** A judge's verdict. */
export interface JudgeVerdict {
  /** Score in [0, 1]. */
  score: number;
  /** The judge's explanation. */
  rationale?: string;
}

/**
 * A model that grades responses, for users who bring their own endpoint. tunix-rt ships no network
 * client: implement `judge` with your API of choice.
 */
export interface LLMJudge {
  /** Judge identity recorded in reports (e.g. the endpoint's model name). */
  readonly name: string;
  /** Grades one response. */
  judge(request: JudgeRequest): Promise<JudgeVerdict>;
}

/**
 * Uses an {@link LLMJudge} as a scorer. `details.judge` names the judge; `details.rationale` keeps its
 * explanation.
 *
 * @param judge - the judge.
 * @param options - metric name (default `llm_judge`).
 */
export function llmJudgeScorer(judge: LLMJudge, options: { name?: string } = {}): Scorer {
  const { name = "llm_judge" } = options;
  return {
    name,
    async score({ item, response, extraction }) {
      const v = await judge.judge({ item, response, extracted: extraction.answer });
      return { score: v.score, details: { judge: judge.name, rationale: v.rationale ?? null } };
    },
  };
}

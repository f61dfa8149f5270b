import { codePointLength } from "../internal/codepoints.js";
import { pythonRound } from "../internal/py-round.js";

/** The Python tunix-rt `baseline_score` and its `ScoreDetails` numbers. */
export interface TraceBaselineScore {
  /** Total, 0–100, rounded like Python's `round(x, 2)`. */
  score: number;
  /** Number of steps. */
  step_count: number;
  /** Mean step length in code points, rounded to 2 places. */
  avg_step_length: number;
  /** Sum of step lengths in code points. */
  total_chars: number;
  /** `min(step_count / 10, 1) * 50`, rounded to 2 places. */
  step_score: number;
  /** `min(avg_step_length / 500, 1) * 50`, rounded to 2 places. */
  length_score: number;
}

/**
 * The Python tunix-rt structural score of a trace's steps: `min(n/10, 1)*50 + min(avgStepChars/500, 1)*50`,
 * lengths in code points as Python's `len(str)` counts them, every figure rounded with Python's
 * `round(x, 2)` semantics. Zero steps score 0 (Python would divide by zero).
 *
 * @param steps - step texts, or a trace-like object with `steps[].content`.
 */
export function traceBaselineScore(steps: readonly string[] | { steps: readonly { content: string }[] }): TraceBaselineScore {
  const texts = Array.isArray(steps) ? (steps as readonly string[]) : (steps as { steps: readonly { content: string }[] }).steps.map((s) => s.content);
  const n = texts.length;
  if (n === 0) return { score: 0, step_count: 0, avg_step_length: 0, total_chars: 0, step_score: 0, length_score: 0 };
  // Python: sum(len(step.content) for step in steps) / step_count, integer sum then one true division.
  const total = texts.reduce((acc, t) => acc + codePointLength(t), 0);
  const avg = total / n;
  const stepScore = Math.min(n / 10.0, 1.0) * 50;
  const lengthScore = Math.min(avg / 500.0, 1.0) * 50;
  return {
    score: pythonRound(stepScore + lengthScore, 2),
    step_count: n,
    avg_step_length: pythonRound(avg, 2),
    total_chars: total,
    step_score: pythonRound(stepScore, 2),
    length_score: pythonRound(lengthScore, 2),
  };
}

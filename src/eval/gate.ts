import { TunixError } from "../errors.js";
import { pythonRound } from "../internal/py-round.js";
import { deltaPercent } from "./compare.js";
import type { EvaluationReport } from "./report-schema.js";

/** Options for {@link regressionGate}. */
export interface RegressionGateOptions {
  /** Metric to gate on (default: the current report's `primary_metric`). */
  metric?: string;
  /** Allowed degradation in percent of the baseline value (default 5). */
  tolerancePct?: number;
  /**
   * Direction. Default as in the Python tunix-rt: lower is better when the metric name contains `loss`,
   * `latency`, `time` or `error`.
   */
  lowerIsBetter?: boolean;
}

/** Verdict of {@link regressionGate}; field names follow the Python `RegressionCheckResult`. */
export interface RegressionGateResult {
  /** `pass` or `fail`. */
  verdict: "pass" | "fail";
  /** `verdict === "pass"`. */
  passed: boolean;
  /** Gated metric. */
  metric_name: string;
  /** Baseline value. */
  baseline_value: number;
  /** Current value. */
  current_value: number;
  /** `current - baseline`. */
  delta: number;
  /** Percent change, rounded like Python's `round(x, 2)`. */
  delta_percent: number;
  /** Direction used. */
  lower_is_better: boolean;
  /** Tolerance used, in percent. */
  tolerance_pct: number;
  /** One-line explanation, e.g. `Threshold: drop <= 5%. Actual change: 6.25%`. */
  details: string;
}

/** A report, a metrics record, or a bare number. */
export type GateInput = EvaluationReport | Record<string, number> | number;

/**
 * Fails when the current value is worse than the baseline by more than `tolerancePct` percent, with the
 * Python tunix-rt semantics: 80 → 85 passes (delta 5, +6.25 %); 90 → 70 fails (−22.22 %). A report's
 * metric is its mean; a plain number is compared as is.
 *
 * @param current - the candidate run.
 * @param baseline - the baseline run.
 * @param options - metric, tolerance, direction.
 * @throws TunixError `EVAL_ERROR` when the metric is missing, `INVALID_ARGUMENT` for a bad tolerance.
 */
export function regressionGate(current: GateInput, baseline: GateInput, options: RegressionGateOptions = {}): RegressionGateResult {
  const tolerance = options.tolerancePct ?? 5;
  if (!(Number.isFinite(tolerance) && tolerance >= 0)) {
    throw new TunixError("INVALID_ARGUMENT", `regressionGate: tolerancePct must be a number >= 0, got ${tolerance}`);
  }
  const metric = options.metric ?? (isReport(current) ? current.primary_metric : isReport(baseline) ? baseline.primary_metric : "score");
  const currentValue = metricValue(current, metric, "current");
  const baselineValue = metricValue(baseline, metric, "baseline");
  const lowerIsBetter = options.lowerIsBetter ?? ["loss", "latency", "time", "error"].some((w) => metric.toLowerCase().includes(w));
  const delta = currentValue - baselineValue;
  const pct = deltaPercent(baselineValue, currentValue);
  let fail: boolean;
  let threshold: string;
  if (lowerIsBetter) {
    fail = pct > tolerance;
    threshold = `increase ${fail ? ">" : "<="} ${tolerance}%`;
  } else {
    fail = pct < -tolerance;
    threshold = `drop ${fail ? ">" : "<="} ${tolerance}%`;
  }
  return {
    verdict: fail ? "fail" : "pass",
    passed: !fail,
    metric_name: metric,
    baseline_value: baselineValue,
    current_value: currentValue,
    delta,
    delta_percent: pythonRound(pct, 2),
    lower_is_better: lowerIsBetter,
    tolerance_pct: tolerance,
    details: `Threshold: ${threshold}. Actual change: ${pythonRound(pct, 2).toFixed(2)}%`,
  };
}

function isReport(x: GateInput): x is EvaluationReport {
  return typeof x === "object" && x !== null && "metrics" in x && "report_version" in x;
}

function metricValue(input: GateInput, metric: string, which: string): number {
  let value: unknown;
  if (typeof input === "number") value = input;
  else if (isReport(input)) value = input.metrics[metric]?.mean;
  else if (typeof input === "object" && input !== null) value = input[metric];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TunixError("EVAL_ERROR", `regressionGate: metric ${JSON.stringify(metric)} not found in the ${which} run`);
  }
  return value;
}

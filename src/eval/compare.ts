import { TunixError } from "../errors.js";
import { compareIds } from "./eval-set.js";
import type { EvaluationReport } from "./report-schema.js";
import { bootstrapMeanCI, compensatedSum, DEFAULT_BOOTSTRAP_RESAMPLES } from "./stats.js";

/** Options for {@link compareRuns}. */
export interface CompareOptions {
  /** Seed of the paired bootstrap (default: run B's seed). */
  seed?: string | number;
  /** Paired-bootstrap resamples (default 2000). */
  resamples?: number;
  /** Confidence level of the paired-bootstrap interval (default 0.95). */
  level?: number;
  /** An item counts as right when its score is at least this (default 0.5; scores are 0/1 for exact match). */
  passThreshold?: number;
  /** Metrics to compare (default: every metric both runs have). */
  metrics?: readonly string[];
}

/** Change of one group (category, section or difficulty) mean between two runs. */
export interface GroupDelta {
  /** Mean in run A (null when A has no items in the group). */
  a: number | null;
  /** Mean in run B (null when B has no items in the group). */
  b: number | null;
  /** `b - a`, or null when either side is missing. */
  delta: number | null;
}

/** Comparison of one metric between run A (before) and run B (after). */
export interface MetricComparison {
  /** Metric name. */
  metric: string;
  /** Mean in A. */
  a: number;
  /** Mean in B. */
  b: number;
  /** `b - a`. */
  delta: number;
  /** `delta / a * 100` (Python tunix-rt convention: 0 when both are 0, ±100 when only A is 0). */
  delta_pct: number;
  /** Items scored in both runs (the paired comparison uses only these). */
  paired_n: number;
  /** Mean of per-item differences `b_i - a_i` over paired items. */
  paired_mean_delta: number;
  /** Paired-bootstrap confidence interval of the mean per-item difference. */
  paired_ci: { low: number; high: number; level: number; resamples: number; seed: string };
  /** True when the paired interval excludes 0: the change is unlikely to be resampling noise. */
  significant: boolean;
  /** True when B's mean lies outside A's own bootstrap CI (a weaker, unpaired check). */
  outside_a_ci: boolean;
  /** Items right in A and wrong in B (sorted ids). */
  right_to_wrong: string[];
  /** Items wrong in A and right in B (sorted ids). */
  wrong_to_right: string[];
  /** Per-category mean changes. */
  by_category: Record<string, GroupDelta>;
  /** Per-section mean changes. */
  by_section: Record<string, GroupDelta>;
  /** Per-difficulty mean changes. */
  by_difficulty: Record<string, GroupDelta>;
}

/** Result of {@link compareRuns}. */
export interface RunComparison {
  /** True when both runs used the same eval set (equal fingerprints). */
  same_eval_set: boolean;
  /** Items only in A. */
  only_in_a: string[];
  /** Items only in B. */
  only_in_b: string[];
  /** Per-metric comparisons, in A's scorer order. */
  metrics: Record<string, MetricComparison>;
}

/**
 * Compares two evaluation reports (A = before, B = after): per-metric delta and delta %, per-group deltas,
 * items that flipped either way, and a seeded paired bootstrap over per-item differences that says
 * whether the change is outside resampling noise.
 *
 * @param a - the earlier (baseline) report.
 * @param b - the later (candidate) report.
 * @param options - seed, resamples, pass threshold, metrics.
 * @throws TunixError `EVAL_ERROR` when a requested metric is missing from either report.
 */
export function compareRuns(a: EvaluationReport, b: EvaluationReport, options: CompareOptions = {}): RunComparison {
  const threshold = options.passThreshold ?? 0.5;
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const level = options.level ?? 0.95;
  const seed = String(options.seed ?? b.seed);
  const metrics = options.metrics ?? Object.keys(a.metrics).filter((m) => m in b.metrics);
  const aItems = new Map(a.items.map((i) => [i.item_id, i]));
  const bItems = new Map(b.items.map((i) => [i.item_id, i]));
  const paired = [...aItems.keys()].filter((id) => bItems.has(id)).sort(compareIds);
  const out: RunComparison = {
    same_eval_set: a.eval_set.fingerprint === b.eval_set.fingerprint,
    only_in_a: [...aItems.keys()].filter((id) => !bItems.has(id)).sort(compareIds),
    only_in_b: [...bItems.keys()].filter((id) => !aItems.has(id)).sort(compareIds),
    metrics: {},
  };
  for (const metric of metrics) {
    const ma = a.metrics[metric];
    const mb = b.metrics[metric];
    if (!ma || !mb) throw new TunixError("EVAL_ERROR", `compareRuns: metric ${JSON.stringify(metric)} is missing from report ${ma ? "B" : "A"}`);
    const diffs: number[] = [];
    const rightToWrong: string[] = [];
    const wrongToRight: string[] = [];
    for (const id of paired) {
      const sa = aItems.get(id)!.scores[metric];
      const sb = bItems.get(id)!.scores[metric];
      if (sa === undefined || sb === undefined) continue;
      diffs.push(sb - sa);
      if (sa >= threshold && sb < threshold) rightToWrong.push(id);
      if (sa < threshold && sb >= threshold) wrongToRight.push(id);
    }
    const ci = pairedBootstrap(diffs, `${seed}:paired:${metric}`, resamples, level);
    const delta = mb.mean - ma.mean;
    out.metrics[metric] = {
      metric,
      a: ma.mean,
      b: mb.mean,
      delta,
      delta_pct: deltaPercent(ma.mean, mb.mean),
      paired_n: diffs.length,
      paired_mean_delta: diffs.length > 0 ? compensatedSum(diffs) / diffs.length : 0,
      paired_ci: ci,
      significant: diffs.length > 1 && (ci.low > 0 || ci.high < 0),
      outside_a_ci: mb.mean < ma.ci95.low || mb.mean > ma.ci95.high,
      right_to_wrong: rightToWrong,
      wrong_to_right: wrongToRight,
      by_category: groupDeltas(ma.by_category, mb.by_category),
      by_section: groupDeltas(ma.by_section, mb.by_section),
      by_difficulty: groupDeltas(ma.by_difficulty, mb.by_difficulty),
    };
  }
  return out;
}

/**
 * Percent change from `before` to `after` with the Python tunix-rt convention: `(after - before) / before *
 * 100`; when `before` is 0 the result is 0 (no change) or ±100.
 *
 * @param before - baseline value.
 * @param after - current value.
 */
export function deltaPercent(before: number, after: number): number {
  const delta = after - before;
  if (before !== 0) return (delta / before) * 100;
  return delta === 0 ? 0 : delta > 0 ? 100 : -100;
}

function pairedBootstrap(diffs: readonly number[], seed: string, resamples: number, level: number): MetricComparison["paired_ci"] {
  if (diffs.length === 0) return { low: 0, high: 0, level, resamples, seed };
  // Same resampling as the per-run CI, applied to per-item differences (a paired bootstrap).
  return bootstrapMeanCI(diffs, { seed, resamples, level });
}

function groupDeltas(
  a: Record<string, { mean: number }>,
  b: Record<string, { mean: number }>,
): Record<string, GroupDelta> {
  const out: Record<string, GroupDelta> = {};
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareIds)) {
    const va = a[key]?.mean ?? null;
    const vb = b[key]?.mean ?? null;
    out[key] = { a: va, b: vb, delta: va !== null && vb !== null ? vb - va : null };
  }
  return out;
}

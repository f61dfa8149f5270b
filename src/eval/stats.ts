import { createRng } from "../internal/rng.js";

/**
 * Neumaier-compensated sum. Plain left-to-right addition loses low bits that depend on the order of the
 * terms; the compensation term keeps the result exact for the sums an eval produces (a few thousand
 * terms in [0, 100]), and callers also sort their inputs, so aggregates never depend on input order.
 */
export function compensatedSum(values: readonly number[]): number {
  let sum = 0;
  let comp = 0;
  for (const v of values) {
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) comp += sum - t + v;
    else comp += v - t + sum;
    sum = t;
  }
  return sum + comp;
}

/** Mean with compensated summation; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return compensatedSum(values) / values.length;
}

/** Population standard deviation (divide by n, as numpy's default); NaN for an empty list. */
export function populationStd(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const m = mean(values);
  const sq = values.map((v) => (v - m) * (v - m));
  return Math.sqrt(compensatedSum(sq) / values.length);
}

/** A confidence interval `[low, high]` and how it was made. */
export interface ConfidenceInterval {
  /** Lower bound. */
  low: number;
  /** Upper bound. */
  high: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Number of bootstrap resamples. */
  resamples: number;
  /** The seed the resampling used. */
  seed: string;
}

/** Options for {@link bootstrapMeanCI}. */
export interface BootstrapOptions {
  /** Seed for the resampling RNG (required: no hidden randomness). */
  seed: string | number;
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** Default number of bootstrap resamples. */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 2000;

/**
 * Percentile bootstrap confidence interval of the mean. Deterministic for a given seed and a given
 * *order* of `values`: callers pass values sorted by item id. For fewer than 2 values the interval is the
 * single value (or NaN when empty).
 *
 * @param values - per-item scores, in a canonical order.
 * @param options - seed, resamples, level.
 */
export function bootstrapMeanCI(values: readonly number[], options: BootstrapOptions): ConfidenceInterval {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const seed = String(options.seed);
  const n = values.length;
  const base = { level, resamples, seed };
  if (n === 0) return { low: Number.NaN, high: Number.NaN, ...base };
  if (n === 1) return { low: values[0]!, high: values[0]!, ...base };
  const rng = createRng(`bootstrap:${seed}`);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    // Inline Neumaier sum (same result as compensatedSum over the drawn sample, without the array).
    let sum = 0;
    let comp = 0;
    for (let i = 0; i < n; i++) {
      const v = values[rng.int(n)]!;
      const t = sum + v;
      if (Math.abs(sum) >= Math.abs(v)) comp += sum - t + v;
      else comp += v - t + sum;
      sum = t;
    }
    means[r] = (sum + comp) / n;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  const lowIndex = Math.min(resamples - 1, Math.max(0, Math.floor(alpha * resamples)));
  const highIndex = Math.min(resamples - 1, Math.max(0, Math.ceil((1 - alpha) * resamples) - 1));
  return { low: means[lowIndex]!, high: means[highIndex]!, ...base };
}

/** Summary statistics of one metric over a set of items. */
export interface MetricSummary {
  /** Number of items. */
  n: number;
  /** Mean score. */
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Smallest item score. */
  min: number;
  /** Largest item score. */
  max: number;
}

/**
 * Mean, population std, min and max of `values` (NaN for an empty list). Uses compensated summation, so
 * the result is identical for any permutation of the same values when the caller sorts them first.
 */
export function summarizeScores(values: readonly number[]): MetricSummary {
  if (values.length === 0) return { n: 0, mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { n: values.length, mean: mean(values), std: populationStd(values), min, max };
}

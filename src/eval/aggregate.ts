import { compareIds } from "./eval-set.js";
import type { GroupSummary, MetricReport, ReportItem } from "./report-schema.js";
import { bootstrapMeanCI, mean, summarizeScores } from "./stats.js";

/** Options for {@link aggregateItems}. */
export interface AggregateOptions {
  /** Bootstrap seed. */
  seed: string | number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
}

/**
 * Aggregates per-item scores into per-metric summaries. The items are sorted by id first and every sum is
 * compensated, so any permutation of the same items gives bit-identical numbers (bootstrap included).
 *
 * @param items - per-item scores (any order).
 * @param metrics - metric names to aggregate (each item must have a score for each).
 * @param options - bootstrap seed and resamples.
 */
export function aggregateItems(
  items: readonly ReportItem[],
  metrics: readonly string[],
  options: AggregateOptions,
): Record<string, MetricReport> {
  const sorted = [...items].sort((a, b) => compareIds(a.item_id, b.item_id));
  const out: Record<string, MetricReport> = {};
  for (const metric of metrics) {
    const values = sorted.map((i) => {
      const v = i.scores[metric];
      if (typeof v !== "number") throw new RangeError(`item ${i.item_id} has no score for metric ${metric}`);
      return v;
    });
    const ci = bootstrapMeanCI(values, {
      seed: `${String(options.seed)}:${metric}`,
      ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
    });
    out[metric] = {
      ...summarizeScores(values),
      ci95: ci,
      by_category: groupMeans(sorted, metric, "category"),
      by_section: groupMeans(sorted, metric, "section"),
      by_difficulty: groupMeans(sorted, metric, "difficulty"),
    };
  }
  return out;
}

function groupMeans(
  sorted: readonly ReportItem[],
  metric: string,
  key: "category" | "section" | "difficulty",
): Record<string, GroupSummary> {
  const groups = new Map<string, number[]>();
  for (const item of sorted) {
    const label = item[key];
    if (label === null) continue;
    let list = groups.get(label);
    if (!list) groups.set(label, (list = []));
    list.push(item.scores[metric]!);
  }
  const out: Record<string, GroupSummary> = {};
  for (const label of [...groups.keys()].sort(compareIds)) {
    const values = groups.get(label)!;
    out[label] = { n: values.length, mean: mean(values) };
  }
  return out;
}

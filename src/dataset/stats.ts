import type { DatasetStats } from "../manifest/index.js";
import type { CandidatePool } from "./candidates.js";

/**
 * Statistics of a selection: counts, step count min / mean / max and character totals (Python field
 * names), plus the candidate count. Means are rounded to 6 decimals so every platform writes the same text.
 *
 * @param pool - the candidates.
 * @param selected - slots of the selected candidates.
 * @param candidateCount - candidates that matched the filter.
 */
export function selectionStats(pool: CandidatePool, selected: Int32Array, candidateCount: number): DatasetStats {
  let min = Infinity;
  let max = 0;
  let steps = 0;
  let chars = 0;
  for (const slot of selected) {
    const n = pool.steps(slot);
    if (n < min) min = n;
    if (n > max) max = n;
    steps += n;
    chars += pool.chars(slot);
  }
  const n = selected.length;
  return {
    trace_count: n,
    candidate_count: candidateCount,
    min_step_count: n === 0 ? 0 : min,
    avg_step_count: n === 0 ? 0 : round6(steps / n),
    max_step_count: max,
    total_chars: chars,
    avg_total_chars: n === 0 ? 0 : round6(chars / n),
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Counts per key, keys sorted.
 *
 * @param items - the items.
 * @param key - the key of an item.
 */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}

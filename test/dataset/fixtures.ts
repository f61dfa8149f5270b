import { createRng } from "../../src/internal/rng.js";
import type { ReasoningTrace } from "../../src/schema/index.js";
import type { TraceStore } from "../../src/storage/index.js";

export const CATEGORIES = ["reasoning", "synthetic", "golden_style", "edge_case"] as const;

/** n deterministic traces; every 10th repeats an earlier prompt/answer with different spacing/case (a dedup duplicate). */
export function makeTraces(n: number, seed = 1): ReasoningTrace[] {
  const rng = createRng(seed);
  const out: ReasoningTrace[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.int(1000);
    const b = rng.int(1000);
    const dup = i % 10 === 9 && i > 0;
    const src = dup ? (i - 5) : i;
    const prompt = dup ? `  WHAT is  item ${src}?` : `What is item ${src}?`;
    const steps = 1 + (i % 4);
    out.push({
      trace_version: "1.0",
      prompt,
      final_answer: `answer ${src}`,
      steps: Array.from({ length: steps }, (_, k) => ({ i: k, type: "calc", content: `step ${k} of ${i}: ${a}+${b}` })),
      meta: { category: CATEGORIES[i % 20 < 14 ? 0 : i % 20 < 18 ? 1 : i % 20 === 18 ? 2 : 3], index: i, source: i % 2 ? "odd" : "even" },
    });
  }
  return out;
}

/** Fixed ids and creation times, so two stores hold identical records. */
export function idsAndTimes(n: number): { ids: string[]; createdAts: string[] } {
  const ids = Array.from({ length: n }, (_, i) => `t-${String(i).padStart(6, "0")}`);
  // Pairs share a timestamp so "latest" must break ties by id.
  const createdAts = Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 1000).toISOString());
  return { ids, createdAts };
}

export async function fill(store: TraceStore, n: number, seed = 1, order: "asc" | "shuffled" = "asc"): Promise<void> {
  const traces = makeTraces(n, seed);
  const { ids, createdAts } = idsAndTimes(n);
  let idx = traces.map((_, i) => i);
  if (order === "shuffled") {
    const rng = createRng(`shuffle-${seed}`);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
  }
  for (let s = 0; s < idx.length; s += 500) {
    const part = idx.slice(s, s + 500);
    await store.putMany(part.map((i) => traces[i]), { ids: part.map((i) => ids[i]!), createdAts: part.map((i) => createdAts[i]!) });
  }
}

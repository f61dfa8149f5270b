/**
 * Evaluation throughput bench: `npx tsx bench/eval.ts [--items N] [--resamples N] [--json]`.
 *
 * Runs `evaluate` with an instant fake generator over N synthetic items (default 10 000) and the five
 * built-in scorers, then `compareRuns` on two such reports, and prints items/s for the scoring pipeline
 * (extraction + scorers + records JSONL to a temp file) and the bootstrap/compare cost separately.
 * Nothing here touches a model: it measures the library's own overhead per item.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  baselineScore,
  compareRuns,
  evaluate,
  exactAnswer,
  formatCompliance,
  loadEvalSet,
  numericTolerance,
  stepCount,
  type EvalItem,
} from "../src/index.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const n = arg("items", 10_000);
const resamples = arg("resamples", 2000);
const items: EvalItem[] = Array.from({ length: n }, (_, i) => ({
  id: `b${String(i).padStart(6, "0")}`,
  prompt: `What is ${i} + ${i}?`,
  expected_answer: String(2 * i),
  category: ["arithmetic", "knowledge", "geometry", "conversion"][i % 4]!,
  section: i % 2 ? "core" : "edge_case",
  difficulty: ["easy", "medium", "hard"][i % 3]!,
}));
const respond = (item: EvalItem, shift: number) => {
  const i = Number(item.expected_answer) / 2;
  const answer = i % (5 + shift) === 0 ? 2 * i + 1 : 2 * i;
  return i % 2 ? `Reasoning:\n1. Take ${i}.\n2. Double it: ${i} + ${i} = ${answer}.\nAnswer: ${answer}<end_of_turn>` : `It is ${answer}`;
};

const dir = mkdtempSync(join(tmpdir(), "tunix-bench-eval-"));
try {
  const evalSet = await loadEvalSet(items, { name: "bench" });
  const scorers = [exactAnswer(), numericTolerance(), formatCompliance(), stepCount(), baselineScore()];
  const run = async (shift: number) => {
    const t0 = performance.now();
    const report = await evaluate({
      evalSet,
      scorers,
      seed: 1,
      bootstrapResamples: resamples,
      generate: (_p, item) => respond(item, shift),
      recordsPath: join(dir, `records-${shift}.jsonl`),
    });
    return { report, ms: performance.now() - t0 };
  };
  const a = await run(0);
  const b = await run(1);
  const t1 = performance.now();
  compareRuns(a.report, b.report, { resamples });
  const compareMs = performance.now() - t1;
  const result = {
    items: n,
    scorers: scorers.length,
    bootstrap_resamples: resamples,
    evaluate_ms: Math.round(a.ms),
    items_per_s: Math.round((n / a.ms) * 1000),
    compare_ms: Math.round(compareMs),
    exact_answer_a: a.report.metrics.exact_answer!.mean,
    exact_answer_b: b.report.metrics.exact_answer!.mean,
  };
  if (process.argv.includes("--json")) console.log(JSON.stringify(result));
  else console.log(Object.entries(result).map(([k, v]) => `${k}=${v}`).join(" "));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

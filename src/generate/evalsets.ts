import type { ReasoningTrace } from "../schema/index.js";
import { GENERATOR_NAMES, type MixEntry } from "./mix.js";
import { generateTraces } from "./stream.js";

/**
 * An eval item in the Python tunix-rt eval JSONL shape (`eval_v1` / `eval_v2`):
 * `{id, prompt, expected_answer, category, difficulty, section?}`.
 */
export interface GeneratedEvalItem {
  /** Unique id within the set, e.g. `arithmetic-v1-0001`. */
  id: string;
  /** The question. */
  prompt: string;
  /** The exact expected answer. */
  expected_answer: string;
  /** The generator's category (`arithmetic`, `word_problem`, `string`, `logic`, `game`, `edge_case`). */
  category: string;
  /** Difficulty label: `2-digit`, `3-digit`, … for arithmetic, `easy` / `medium` / `hard` otherwise. */
  difficulty: string;
  /** The task within the category (`addition`, `reverse`, `syllogism`, …). */
  section?: string;
}

/** Seed of the shipped `evalsets/arithmetic-v1.jsonl` (different from every training seed). */
export const ARITHMETIC_EVAL_SEED = "eval/arithmetic-v1";
/** Seed of the shipped `evalsets/reasoning-v1.jsonl`. */
export const REASONING_EVAL_SEED = "eval/reasoning-v1";

/**
 * Turns a generated trace into an eval item: its prompt and final answer, with category, difficulty and
 * section (the task) from `meta`.
 *
 * @param trace - a trace produced by {@link generateTraces}.
 * @param id - the item id.
 */
export function traceToEvalItem(trace: ReasoningTrace, id: string): GeneratedEvalItem {
  const meta = (trace.meta ?? {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string): string => (typeof v === "string" && v !== "" ? v : fallback);
  return {
    id,
    prompt: trace.prompt,
    expected_answer: trace.final_answer,
    category: str(meta.category, "unknown"),
    difficulty: str(meta.difficulty, "unknown"),
    section: str(meta.task, "unknown"),
  };
}

/** Draws `n` traces with distinct prompts from the held-out part of the prompt space. */
function uniqueHeldOut(entry: MixEntry, n: number, seed: string): ReasoningTrace[] {
  const seen = new Set<string>();
  const out: ReasoningTrace[] = [];
  for (const trace of generateTraces({ mix: [entry], count: n * 50, seed, holdout: "only" })) {
    if (seen.has(trace.prompt)) continue;
    seen.add(trace.prompt);
    out.push(trace);
    if (out.length === n) return out;
  }
  throw new Error(`only ${out.length} distinct held-out prompts found for ${JSON.stringify(entry)}`);
}

/** Options of {@link buildArithmeticEvalSet}. */
export interface ArithmeticEvalSetOptions {
  /** Seed (default {@link ARITHMETIC_EVAL_SEED}). */
  seed?: string;
  /** Items per (operation, digits) group; 4 groups (default 60, so 240 items). */
  perGroup?: number;
}

/**
 * Builds the held-out arithmetic eval set: 2- and 3-digit addition and subtraction, every item with at
 * least one carry or borrow, all prompts distinct and held out (see {@link isHeldOutPrompt}), so no
 * training mix generated with the default `holdout: "exclude"` can contain them.
 *
 * @param options - seed and size.
 */
export function buildArithmeticEvalSet(options: ArithmeticEvalSetOptions = {}): GeneratedEvalItem[] {
  const seed = options.seed ?? ARITHMETIC_EVAL_SEED;
  const perGroup = options.perGroup ?? 60;
  const items: GeneratedEvalItem[] = [];
  for (const digits of [2, 3]) {
    for (const operation of ["addition", "subtraction"] as const) {
      const entry: MixEntry = { generator: "arithmetic", options: { operations: [operation], digits, requireRegroup: true } };
      for (const trace of uniqueHeldOut(entry, perGroup, `${seed}/${operation}/${digits}`)) {
        items.push(traceToEvalItem(trace, `arithmetic-v1-${String(items.length + 1).padStart(4, "0")}`));
      }
    }
  }
  return items;
}

/** Options of {@link buildReasoningEvalSet}. */
export interface ReasoningEvalSetOptions {
  /** Seed (default {@link REASONING_EVAL_SEED}). */
  seed?: string;
  /** Items per generator (default 20; six generators). */
  perGenerator?: number;
}

/**
 * Builds the mixed eval set: every built-in generator (arithmetic with all three operations and 1–4
 * digits, word problems, string tasks, logic, High Card Duel, edge cases), held-out prompts only.
 *
 * @param options - seed and size.
 */
export function buildReasoningEvalSet(options: ReasoningEvalSetOptions = {}): GeneratedEvalItem[] {
  const seed = options.seed ?? REASONING_EVAL_SEED;
  const per = options.perGenerator ?? 20;
  const items: GeneratedEvalItem[] = [];
  for (const generator of GENERATOR_NAMES) {
    const entry: MixEntry =
      generator === "arithmetic"
        ? { generator, options: { operations: ["addition", "subtraction", "multiplication"], digits: [1, 4] } }
        : { generator };
    for (const trace of uniqueHeldOut(entry, per, `${seed}/${generator}`)) {
      items.push(traceToEvalItem(trace, `reasoning-v1-${String(items.length + 1).padStart(4, "0")}`));
    }
  }
  return items;
}

/**
 * Serializes eval items as JSONL (one object per line, keys in the Python order, trailing newline).
 *
 * @param items - the items.
 */
export function evalItemsToJsonl(items: readonly GeneratedEvalItem[]): string {
  return items
    .map((it) =>
      JSON.stringify({
        id: it.id,
        prompt: it.prompt,
        expected_answer: it.expected_answer,
        category: it.category,
        difficulty: it.difficulty,
        ...(it.section !== undefined ? { section: it.section } : {}),
      }),
    )
    .map((l) => `${l}\n`)
    .join("");
}

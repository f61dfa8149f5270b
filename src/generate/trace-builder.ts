import type { ReasoningTrace, TraceMeta } from "../schema/index.js";

/** Trace format version written by every generator. */
export const GENERATED_TRACE_VERSION = "1.0";

/** One step before numbering: its kind and its text. */
export interface StepDraft {
  /** Step kind, e.g. `column`, `calculation`, `result`. */
  type: string;
  /** The step's text. */
  content: string;
}

/** Difficulty label stored in `meta.difficulty` and in eval items. */
export type DifficultyLabel = string;

/** What every generator returns before the stream adds seed and index to `meta`. */
export interface GeneratedItem {
  prompt: string;
  final_answer: string;
  steps: StepDraft[];
  /** Generator-specific metadata; `generator`, `category` and `difficulty` are always present. */
  meta: { generator: string; category: string; difficulty: DifficultyLabel; task: string } & Record<string, unknown>;
}

/** Numbers the steps 0..n-1 and assembles a trace object (validation happens in the stream). */
export function toTrace(item: GeneratedItem, extraMeta: Record<string, unknown> = {}): ReasoningTrace {
  return {
    trace_version: GENERATED_TRACE_VERSION,
    prompt: item.prompt,
    final_answer: item.final_answer,
    steps: item.steps.map((s, i) => ({ i, type: s.type, content: s.content })),
    meta: { ...item.meta, ...extraMeta } as TraceMeta,
  };
}

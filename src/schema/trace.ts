import { z } from "zod";
import {
  MAX_FINAL_ANSWER_CHARS,
  MAX_PROMPT_CHARS,
  MAX_STEP_CONTENT_CHARS,
  MAX_STEP_TYPE_CHARS,
  MAX_STEPS,
  MAX_TRACE_VERSION_CHARS,
} from "./limits.js";
import { codePointString } from "./text.js";

/**
 * One reasoning step: `{i, type, content}` as in the Python tunix-rt.
 * Unknown keys are kept (a user's data is never silently dropped).
 */
export const TraceStepSchema = z.looseObject({
  /** Step index, an integer >= 0, unique within a trace. */
  i: z.number().int().min(0),
  /** Free-form step kind such as `setup`, `calculation`, `result` (1..64 code points). */
  type: codePointString(1, MAX_STEP_TYPE_CHARS),
  /** Step text (1..20 000 code points). */
  content: codePointString(1, MAX_STEP_CONTENT_CHARS),
});

/** A JSON object of free metadata, or null. */
export const TraceMetaSchema = z.record(z.string(), z.json()).nullable();

/**
 * A reasoning trace, the unit tunix-rt stores, selects and trains on. Field names are the Python
 * tunix-rt JSON, unchanged. Unknown top-level keys are kept as they are.
 */
export const ReasoningTraceSchema = z
  .looseObject({
    /** Schema version of the trace format, e.g. "1.0" (1..64 code points). */
    trace_version: codePointString(1, MAX_TRACE_VERSION_CHARS),
    /** The question or task (1..50 000 code points). */
    prompt: codePointString(1, MAX_PROMPT_CHARS),
    /** The final answer (1..50 000 code points). */
    final_answer: codePointString(1, MAX_FINAL_ANSWER_CHARS),
    /** Reasoning steps, 1..1000, with unique `i`. */
    steps: z.array(TraceStepSchema).min(1, "must have at least 1 step").max(MAX_STEPS, `must have at most ${MAX_STEPS} steps`),
    /** Free metadata: a JSON object, null, or absent. */
    meta: TraceMetaSchema.optional(),
  })
  .superRefine((trace, ctx) => {
    if (!Array.isArray(trace.steps)) return;
    const seen = new Map<number, number>();
    trace.steps.forEach((step, index) => {
      if (typeof step?.i !== "number") return;
      const first = seen.get(step.i);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "i"],
          message: `duplicate step index ${step.i} (also at steps[${first}])`,
        });
      } else {
        seen.set(step.i, index);
      }
    });
  });

/** A validated reasoning step. */
export type TraceStep = z.infer<typeof TraceStepSchema>;
/** A validated reasoning trace. */
export type ReasoningTrace = z.infer<typeof ReasoningTraceSchema>;
/** Input accepted by {@link ReasoningTraceSchema} (same shape as the output). */
export type ReasoningTraceInput = z.input<typeof ReasoningTraceSchema>;
/** Trace metadata: a JSON object or null. */
export type TraceMeta = z.infer<typeof TraceMetaSchema>;

import { z } from "zod";
import { TunixError } from "../errors.js";
import { fromZodIssues } from "../schema/index.js";

/** Current `report_version` of {@link EvaluationReportSchema}. */
export const EVALUATION_REPORT_VERSION = 1;

const ExtractionMethodSchema = z.enum(["answer_line", "answer_tag", "boxed", "answer_phrase", "last_number", "last_line", "none"]);

/** Mean and count of one metric within a group (a category, section or difficulty). */
export const GroupSummarySchema = z.object({
  /** Items in the group. */
  n: z.number().int().min(1),
  /** Mean score in the group. */
  mean: z.number(),
});

/** Aggregate of one metric over an evaluation. */
export const MetricReportSchema = z.object({
  /** Items scored. */
  n: z.number().int().min(0),
  /** Mean score (compensated sum over items sorted by id). */
  mean: z.number(),
  /** Population standard deviation. */
  std: z.number(),
  /** Lowest item score. */
  min: z.number(),
  /** Highest item score. */
  max: z.number(),
  /** Seeded percentile-bootstrap confidence interval of the mean. */
  ci95: z.object({ low: z.number(), high: z.number(), level: z.number(), resamples: z.number().int(), seed: z.string() }),
  /** Means per item `category`. */
  by_category: z.record(z.string(), GroupSummarySchema),
  /** Means per item `section`. */
  by_section: z.record(z.string(), GroupSummarySchema),
  /** Means per item `difficulty`. */
  by_difficulty: z.record(z.string(), GroupSummarySchema),
});

/** One item's scores inside a report (sorted by `item_id`); enough for paired comparisons. */
export const ReportItemSchema = z.object({
  /** Eval item id. */
  item_id: z.string(),
  /** Item category, or null. */
  category: z.string().nullable(),
  /** Item section, or null. */
  section: z.string().nullable(),
  /** Item difficulty, or null. */
  difficulty: z.string().nullable(),
  /** How the answer was extracted. */
  extraction_method: ExtractionMethodSchema,
  /** The extracted answer, or null. */
  extracted: z.string().nullable(),
  /** Score per metric. */
  scores: z.record(z.string(), z.number()),
  /** Generation error message, when the item failed and `onError: "record"` was set. */
  error: z.string().optional(),
});

/**
 * The result of {@link evaluate}: reproducibility metadata, per-metric aggregates, and per-item scores.
 * Wire fields are snake_case; `JSON.stringify(report)` is the JSON form.
 */
export const EvaluationReportSchema = z.looseObject({
  /** Report format version ({@link EVALUATION_REPORT_VERSION}). */
  report_version: z.literal(EVALUATION_REPORT_VERSION),
  /** When the evaluation finished (ISO-8601). */
  created_at: z.string(),
  /** Eval set identity. */
  eval_set: z.object({
    name: z.string(),
    sha256: z.string(),
    fingerprint: z.string(),
    item_count: z.number().int(),
  }),
  /** Chat template used to render prompts, when known. */
  template: z.object({ name: z.string(), hash: z.string() }).nullable(),
  /** Model identity (checkpoint hash), when given. */
  model: z.object({ name: z.string().nullable(), hash: z.string().nullable() }),
  /** Seed of the bootstrap (and of sampling, if the generator used it). */
  seed: z.union([z.string(), z.number()]),
  /** Library that produced the report. */
  library: z.object({ name: z.string(), version: z.string() }),
  /** Scoring and generation configuration. */
  config: z.object({
    scorers: z.array(z.string()),
    extraction_methods: z.array(ExtractionMethodSchema),
    bootstrap_resamples: z.number().int(),
    generation: z.record(z.string(), z.json()).nullable(),
  }),
  /** The headline metric (the first scorer). */
  primary_metric: z.string(),
  /** Aggregates per metric. */
  metrics: z.record(z.string(), MetricReportSchema),
  /** How many answers each extraction method found. */
  extraction_counts: z.record(z.string(), z.number().int()),
  /** Items whose generation failed (recorded with score 0). */
  error_count: z.number().int(),
  /** Wall-clock figures (not part of any aggregate; they vary run to run). */
  timing: z.object({ wall_ms: z.number(), mean_latency_ms: z.number() }),
  /** Per-item scores sorted by `item_id`. */
  items: z.array(ReportItemSchema),
});

/** An evaluation report. */
export type EvaluationReport = z.infer<typeof EvaluationReportSchema>;
/** Aggregate of one metric. */
export type MetricReport = z.infer<typeof MetricReportSchema>;
/** Mean and count within one group. */
export type GroupSummary = z.infer<typeof GroupSummarySchema>;
/** One item's scores inside a report. */
export type ReportItem = z.infer<typeof ReportItemSchema>;

/**
 * Validates a parsed report (e.g. a stored baseline's JSON).
 *
 * @param value - any value, typically from `JSON.parse`.
 * @throws TunixError `EVAL_ERROR` naming each failing path.
 */
export function parseEvaluationReport(value: unknown): EvaluationReport {
  const r = EvaluationReportSchema.safeParse(value);
  if (!r.success) throw new TunixError("EVAL_ERROR", "Invalid evaluation report", { issues: fromZodIssues(r.error.issues) });
  return r.data;
}

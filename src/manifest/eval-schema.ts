import { z } from "zod";
import { JsonRecordSchema, SafeKeySchema, Sha256HexSchema, TimestampSchema } from "./common.js";
import { MetricsSchema } from "./run-schema.js";

/** Current `schema_version` of {@link EvaluationManifestSchema}. */
export const EVALUATION_MANIFEST_SCHEMA_VERSION = 1;

/**
 * An evaluation: which eval set (by sha256), which model (by hash), rendered with which template, with
 * which seed, by which library version, and the resulting metrics. `metrics` and `per_category` hold any
 * numeric metrics; `config` and `extra` are free-form. Unknown top-level keys are kept.
 */
export const EvaluationManifestSchema = z.looseObject({
  /** Manifest format version ({@link EVALUATION_MANIFEST_SCHEMA_VERSION}). */
  schema_version: z.literal(EVALUATION_MANIFEST_SCHEMA_VERSION),
  /** Evaluation identifier, a safe file name. */
  eval_id: SafeKeySchema,
  /** When the evaluation ran (ISO-8601). */
  created_at: TimestampSchema,
  /** Name of the eval set (e.g. `eval_v2`). */
  eval_set: z.string().min(1).nullable().default(null),
  /** sha256 of the eval set file's bytes (or of its canonical JSON when built in memory). */
  eval_set_sha256: Sha256HexSchema,
  /** Number of eval items scored. */
  item_count: z.number().int().min(0).optional(),
  /** sha256 of the chat template text used to render prompts. */
  template_hash: Sha256HexSchema,
  /** Template name, e.g. `gemma3`. */
  template_name: z.string().min(1).optional(),
  /** sha256 of the model weights (or checkpoint file) evaluated; for a baseline, of its identifying config. */
  model_hash: Sha256HexSchema,
  /** Training run that produced the model, when known. */
  training_run_id: z.string().min(1).nullable().default(null),
  /** Seed used for sampling / bootstrap. */
  seed: z.union([z.number(), z.string()]).nullable(),
  /** tunix-rt version that ran the evaluation. */
  library_version: z.string().min(1),
  /** Compute backend, when a model ran. */
  backend: z.string().min(1).optional(),
  /** Headline metrics (`exact_match`, `format_compliance`, ...). */
  metrics: MetricsSchema,
  /** Metrics per category / section. */
  per_category: z.record(z.string(), MetricsSchema).optional(),
  /** Generation / scoring configuration (free-form JSON). */
  config: JsonRecordSchema.optional(),
  /** Wall-clock duration in seconds. */
  wall_time_s: z.number().min(0).optional(),
  /** Free extras. */
  extra: JsonRecordSchema.optional(),
  /** `sha256:<hex>` of the manifest's stable JSON without this field; verified on read when present. */
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be 'sha256:' + 64 hex digits").optional(),
});

/** A validated evaluation manifest. */
export type EvaluationManifest = z.infer<typeof EvaluationManifestSchema>;
/** Input accepted by {@link EvaluationManifestSchema} (defaults may be omitted). */
export type EvaluationManifestInput = z.input<typeof EvaluationManifestSchema>;

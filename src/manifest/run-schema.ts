import { z } from "zod";
import { JsonRecordSchema, SafeKeySchema, Sha256HexSchema, TimestampSchema } from "./common.js";

/** Current `schema_version` of {@link TrainingRunManifestSchema}. */
export const TRAINING_RUN_MANIFEST_SCHEMA_VERSION = 1;

/** A metric value: a finite number, or null when it could not be computed. */
export const MetricValueSchema = z.number().nullable();

/** A record of named metrics (`loss`, `val_loss`, `exact_match`, ...). Free-form names, numeric values. */
export const MetricsSchema = z.record(z.string(), MetricValueSchema);

/** The chat template a run or evaluation rendered with: its name and the sha256 of its exact text. */
export const TemplateRefSchema = z.looseObject({
  /** Template name, e.g. `gemma3`, `gemma2`, or a user name. */
  name: z.string().min(1),
  /** sha256 of the template text (or of the canonical render options when there is no text). */
  sha256: Sha256HexSchema,
});

/** One saved checkpoint file and its digest. */
export const CheckpointRefSchema = z.looseObject({
  /** Path relative to the run directory (or an artifact key). */
  path: z.string().min(1),
  /** sha256 of the file's bytes. */
  sha256: Sha256HexSchema,
  /** Optimizer step the checkpoint was taken at. */
  step: z.number().int().min(0).optional(),
});

/**
 * A training run: what went in (dataset fingerprint, config, tokenizer, template), what came out (final
 * metrics, checkpoint hashes) and where it ran (library version, backend, wall time). The core fields are
 * typed; `config`, `final_metrics` and `extra` are free-form records so the trainer can grow without a
 * schema bump. Unknown top-level keys are kept.
 */
export const TrainingRunManifestSchema = z.looseObject({
  /** Manifest format version ({@link TRAINING_RUN_MANIFEST_SCHEMA_VERSION}). */
  schema_version: z.literal(TRAINING_RUN_MANIFEST_SCHEMA_VERSION),
  /** Run identifier, a safe file name. */
  run_id: SafeKeySchema,
  /** When the run started (ISO-8601). */
  created_at: TimestampSchema,
  /** When the run finished, or null while it is running / if it was aborted. */
  finished_at: TimestampSchema.nullable().default(null),
  /** `completed`, `aborted`, `failed` or `running`. */
  status: z.enum(["running", "completed", "aborted", "failed"]).default("completed"),
  /** Key of the training dataset, when it came from a manifest. */
  dataset_key: z.string().min(1).nullable().default(null),
  /** Fingerprint of the training dataset (its manifest's `fingerprint`, or sha256 of the exported file). */
  dataset_fingerprint: Sha256HexSchema,
  /** Fingerprint of the validation split / dataset, when one was used. */
  eval_dataset_fingerprint: Sha256HexSchema.nullable().default(null),
  /** The full resolved training configuration (free-form JSON; the trainer owns its shape). */
  config: JsonRecordSchema,
  /** Seed of the run. */
  seed: z.union([z.number(), z.string()]).nullable().default(null),
  /** sha256 of the tokenizer (vocab + special tokens) the run used. */
  tokenizer_hash: Sha256HexSchema,
  /** The chat template used to render training text. */
  template: TemplateRefSchema,
  /** Metrics at the end of the run. */
  final_metrics: MetricsSchema,
  /** Saved checkpoints with their digests (may be empty). */
  checkpoints: z.array(CheckpointRefSchema).default([]),
  /** Optimizer steps completed. */
  steps: z.number().int().min(0).optional(),
  /** tunix-rt version that ran the training. */
  library_version: z.string().min(1),
  /** Compute backend, e.g. `wasm`, `cpu`, `tensorflow` (tfjs-node). */
  backend: z.string().min(1),
  /** Wall-clock duration in seconds. */
  wall_time_s: z.number().min(0),
  /** Free extras (host info, notes). */
  extra: JsonRecordSchema.optional(),
  /** `sha256:<hex>` of the manifest's stable JSON without this field; verified on read when present. */
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be 'sha256:' + 64 hex digits").optional(),
});

/** A validated training-run manifest. */
export type TrainingRunManifest = z.infer<typeof TrainingRunManifestSchema>;
/** Input accepted by {@link TrainingRunManifestSchema} (defaults may be omitted). */
export type TrainingRunManifestInput = z.input<typeof TrainingRunManifestSchema>;
/** A chat template reference. */
export type TemplateRef = z.infer<typeof TemplateRefSchema>;
/** A checkpoint reference. */
export type CheckpointRef = z.infer<typeof CheckpointRefSchema>;
/** A metrics record. */
export type Metrics = z.infer<typeof MetricsSchema>;

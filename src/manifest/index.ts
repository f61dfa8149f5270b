/**
 * Manifests: dataset, training-run and evaluation records with `schema_version`, checksums and lineage.
 * Dataset manifests read the Python tunix-rt fields unchanged.
 * @module
 */
export {
  MAX_KEY_CHARS,
  SAFE_KEY_PATTERN,
  Sha256HexSchema,
  TimestampSchema,
  JsonRecordSchema,
  SafeKeySchema,
  unsafeKeyReason,
} from "./common.js";
export {
  DATASET_MANIFEST_SCHEMA_VERSION,
  DatasetManifestSchema,
  DatasetStatsSchema,
  DatasetSplitSchema,
  DatasetSelectionSchema,
  type DatasetManifest,
  type DatasetManifestInput,
  type DatasetStats,
  type DatasetSplit,
  type DatasetSelection,
  traceListIssues,
  type TraceListFields,
} from "./dataset-schema.js";
export {
  TRAINING_RUN_MANIFEST_SCHEMA_VERSION,
  TrainingRunManifestSchema,
  MetricValueSchema,
  MetricsSchema,
  TemplateRefSchema,
  CheckpointRefSchema,
  type TrainingRunManifest,
  type TrainingRunManifestInput,
  type TemplateRef,
  type CheckpointRef,
  type Metrics,
} from "./run-schema.js";
export {
  EVALUATION_MANIFEST_SCHEMA_VERSION,
  EvaluationManifestSchema,
  type EvaluationManifest,
  type EvaluationManifestInput,
} from "./eval-schema.js";
export { migrateDatasetManifest } from "./migrate.js";
export { PackedStrings, PackedStringsBuilder, type StringList, type PackedEncoding } from "./packed-strings.js";
export { stableJson, manifestChecksum } from "./stable-json.js";
export {
  parseDatasetManifest,
  parseTrainingRunManifest,
  parseEvaluationManifest,
  parseManifest,
  manifestKind,
  manifestKey,
  type ManifestKind,
  type AnyManifest,
  type TypedManifest,
} from "./parse.js";
export {
  writeManifest,
  readManifest,
  readDatasetManifest,
  manifestPath,
  type WriteManifestOptions,
  type WriteManifestResult,
  type ReadDatasetManifestOptions,
} from "./io.js";
export type { ManifestSource } from "./source.js";
export {
  TRACE_LIST_FIELDS,
  TRACE_LIST_ENCODINGS,
  isCompactManifest,
  compactDatasetManifest,
  expandDatasetManifest,
  parseCompactDatasetManifest,
  type TraceListField,
  type CompactDatasetManifest,
  type DatasetManifestLike,
  type DatasetManifestHeader,
} from "./compact.js";

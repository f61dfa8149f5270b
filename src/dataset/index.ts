/**
 * Datasets: deterministic, streaming selection of traces from any store into a frozen manifest, with
 * fingerprints, splits, dedup, verification and export.
 * @module
 */
export { assertSafeKey, datasetKey } from "./key.js";
export {
  DatasetRequestSchema,
  SelectionStrategySchema,
  SeedSchema,
  StratifySchema,
  SplitsSchema,
  MAX_STRATA,
  normalizeRequest,
  parseDatasetRequest,
  type DatasetRequest,
  type DatasetRequestInput,
  type SelectionStrategy,
} from "./request.js";
export { DEDUP_ALGORITHM, normalizeForDedup, dedupKey } from "./dedup.js";
export { SAMPLER, SPLIT_ALGORITHM, seedTag, sampleRank, splitPoint, assignSplit } from "./priority.js";
export { SELECT_OP, SelectionDigest, datasetFingerprint, splitFingerprint, type FingerprintInput } from "./fingerprint.js";
export { MISSING_STRATUM, proportionalQuotas } from "./select.js";
export { buildDataset, LATEST_SAMPLER, type BuildDatasetOptions } from "./build.js";
export { verifyDataset, MAX_REPORTED_IDS, type VerifyReport } from "./verify.js";
export { exportDataset, type ExportOptions, type ExportStats, type DatasetExport } from "./export.js";
export { pythonJsonDumps, pythonFloatRepr, pyFloat, PyFloat, type PythonJsonOptions } from "./python-json.js";
export { writeJsonl, type WriteJsonlOptions, type WriteJsonlResult } from "./jsonl.js";

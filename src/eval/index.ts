/**
 * Evaluation: eval sets, answer extraction, scorers, seeded aggregation with bootstrap confidence
 * intervals, per-item records, run comparison, regression gates with named baselines, and JSON /
 * Markdown / SVG reports.
 * @module
 */
export {
  EvalItemSchema,
  loadEvalSet,
  parseEvalSetText,
  type EvalItem,
  type EvalSet,
  type EvalSetSource,
  type LoadEvalSetOptions,
} from "./eval-set.js";
export {
  checkContamination,
  normalizePrompt,
  type ContaminationReport,
  type ContaminationOptions,
  type ContaminatedItem,
} from "./contamination.js";
export {
  extractAnswer,
  EXTRACTION_METHODS,
  type Extraction,
  type ExtractionMethod,
  type ExtractOptions,
} from "./extract.js";
export {
  normalizeForScoring,
  answersMatch,
  splitAlternatives,
  COMMON_UNITS,
  type AnswerMatchOptions,
  type NormalizedAnswer,
} from "./normalize.js";
export {
  exactAnswer,
  numericTolerance,
  formatCompliance,
  stepCount,
  baselineScore,
  customScorer,
  llmJudgeScorer,
  type Scorer,
  type ScoreInput,
  type ScoreResult,
  type ScoreDetails,
  type ExactAnswerOptions,
  type NumericToleranceOptions,
  type FormatComplianceOptions,
  type StepCountOptions,
  type LLMJudge,
  type JudgeRequest,
  type JudgeVerdict,
} from "./scorers.js";
export { traceBaselineScore, type TraceBaselineScore } from "./baseline-score.js";
export {
  summarizeScores,
  bootstrapMeanCI,
  DEFAULT_BOOTSTRAP_RESAMPLES,
  type MetricSummary,
  type ConfidenceInterval,
  type BootstrapOptions,
} from "./stats.js";
export { aggregateItems, type AggregateOptions } from "./aggregate.js";
export {
  evaluate,
  type EvaluateOptions,
  type GenerateFn,
  type GenerateBatchFn,
  type EvalProgress,
} from "./evaluate.js";
export { parseRecordsJsonl, type EvalRecord, type RecordSink } from "./records.js";
export {
  EvaluationReportSchema,
  MetricReportSchema,
  GroupSummarySchema,
  ReportItemSchema,
  EVALUATION_REPORT_VERSION,
  parseEvaluationReport,
  type EvaluationReport,
  type MetricReport,
  type GroupSummary,
  type ReportItem,
} from "./report-schema.js";
export {
  compareRuns,
  deltaPercent,
  type CompareOptions,
  type RunComparison,
  type MetricComparison,
  type GroupDelta,
} from "./compare.js";
export {
  regressionGate,
  type RegressionGateOptions,
  type RegressionGateResult,
  type GateInput,
} from "./gate.js";
export {
  saveBaseline,
  loadBaseline,
  checkBaseline,
  createMemoryBaselineStore,
  openDirBaselineStore,
  type BaselineStore,
  type BaselineEntry,
  type BaselineStoreOptions,
  type SaveBaselineOptions,
} from "./baselines.js";
export {
  renderReportMarkdown,
  renderReportJson,
  writeReport,
  type MarkdownReportOptions,
  type WriteReportOptions,
  type WrittenReport,
} from "./report-markdown.js";
export {
  parseMetricsJsonl,
  lineChartSvg,
  barChartSvg,
  type MetricsPoint,
  type LineChartOptions,
  type BarChartOptions,
} from "./svg.js";
export { gemmaTemplateIdentity, GEMMA_TEMPLATE_SHA256, type TemplateIdentity } from "./template.js";
export { reportToManifest, type ReportToManifestOptions } from "./to-manifest.js";

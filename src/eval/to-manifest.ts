import { TunixError } from "../errors.js";
import { EvaluationManifestSchema, EVALUATION_MANIFEST_SCHEMA_VERSION, type EvaluationManifest } from "../manifest/index.js";
import { fromZodIssues } from "../schema/index.js";
import type { EvaluationReport } from "./report-schema.js";

/** Options for {@link reportToManifest}. */
export interface ReportToManifestOptions {
  /** Evaluation id (a safe file name). */
  evalId: string;
  /** Training run that produced the model, when known. */
  trainingRunId?: string;
  /** Compute backend that ran the model (`wasm`, `cpu`, ...). */
  backend?: string;
}

/**
 * Builds an `EvaluationManifest` from a report: eval-set sha256, template and model hashes, seed, library
 * version, headline metrics (means plus `<metric>_ci_low/high`) and per-category means of every metric.
 *
 * @param report - an evaluation report with a template and a model hash.
 * @param options - evaluation id, training run id, backend.
 * @throws TunixError `MANIFEST_INVALID` when the report lacks a template or model hash (or an id is unsafe).
 */
export function reportToManifest(report: EvaluationReport, options: ReportToManifestOptions): EvaluationManifest {
  const metrics: Record<string, number> = {};
  const perCategory: Record<string, Record<string, number>> = {};
  for (const [name, m] of Object.entries(report.metrics)) {
    metrics[name] = m.mean;
    metrics[`${name}_ci_low`] = m.ci95.low;
    metrics[`${name}_ci_high`] = m.ci95.high;
    for (const [category, g] of Object.entries(m.by_category)) (perCategory[category] ??= {})[name] = g.mean;
  }
  const candidate = {
    schema_version: EVALUATION_MANIFEST_SCHEMA_VERSION,
    eval_id: options.evalId,
    created_at: report.created_at,
    eval_set: report.eval_set.name,
    eval_set_sha256: report.eval_set.sha256,
    item_count: report.eval_set.item_count,
    template_hash: report.template?.hash,
    ...(report.template ? { template_name: report.template.name } : {}),
    model_hash: report.model.hash,
    training_run_id: options.trainingRunId ?? null,
    seed: report.seed,
    library_version: report.library.version,
    ...(options.backend ? { backend: options.backend } : {}),
    metrics,
    per_category: perCategory,
    config: { ...report.config, primary_metric: report.primary_metric, eval_set_fingerprint: report.eval_set.fingerprint },
    wall_time_s: report.timing.wall_ms / 1000,
  };
  const parsed = EvaluationManifestSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new TunixError("MANIFEST_INVALID", "reportToManifest: the report cannot form an evaluation manifest (pass evaluate({template, model: {hash}}))", {
      issues: fromZodIssues(parsed.error.issues),
    });
  }
  return parsed.data;
}

import { join } from "node:path";
import { TunixError } from "../errors.js";
import { exportDataset } from "../dataset/index.js";
import { writeManifest, type DatasetManifest } from "../manifest/index.js";
import type { ReasoningTrace } from "../schema/index.js";
import type { TraceStore } from "../storage/index.js";
import type { CommandContext } from "./context.js";
import { trainModule } from "./model.js";

/** Collects one split of a dataset as traces, in manifest order. */
export async function splitTraces(manifest: DatasetManifest, store: TraceStore, split: string | undefined): Promise<ReasoningTrace[]> {
  const out: ReasoningTrace[] = [];
  for await (const t of exportDataset(manifest, store, { format: "trace", ...(split !== undefined ? { split } : {}) })) {
    out.push(t as ReasoningTrace);
  }
  return out;
}

/** What {@link runTraining} needs. */
export interface TrainingJob {
  /** Training traces. */
  train: ReasoningTrace[];
  /** Validation traces (eval loss). */
  val?: ReasoningTrace[];
  /** Trainer config (`tunix-rt/train` TrainConfigInput). */
  config: import("../train/index.js").TrainConfigInput;
  /** Run directory: `checkpoints/`, `metrics.jsonl`, `<run>.run.json`. */
  runDir: string;
  /** Start over instead of resuming from the newest checkpoint. */
  fresh?: boolean;
  /** Progress label. */
  label?: string;
  /** Data-parallel replicas (worker_threads); 1 = train in this thread. */
  workers?: number;
}

/** Outcome of {@link runTraining}. */
export interface TrainingOutcome {
  /** The trainer's result (model, history, manifest). */
  result: import("../train/index.js").TrainResult;
  /** Metrics JSONL path. */
  metricsPath: string;
  /** Checkpoint root. */
  checkpointDir: string;
  /** Run manifest path. */
  manifestPath: string | undefined;
}

/**
 * Trains with progress (TTY bar or plain lines), checkpoints in `runDir/checkpoints` (resumed on rerun),
 * metrics in `runDir/metrics.jsonl`. Ctrl-C stops after the current step, writes a checkpoint and throws
 * `ABORTED` (exit 130) with the resume hint.
 */
export async function runTraining(ctx: CommandContext, job: TrainingJob): Promise<TrainingOutcome> {
  const t = await trainModule();
  const checkpointDir = join(job.runDir, "checkpoints");
  const metricsPath = join(job.runDir, "metrics.jsonl");
  const config = t.parseTrainConfig(job.config);
  const total = config.schedule.maxSteps;
  const progress = ctx.out.progress(job.label ?? "train", total, " steps");
  const workers = job.workers ?? 1;
  if (workers > 1) ctx.out.note(`data-parallel training on ${workers} replicas (worker_threads)`);
  const result = await t.train({
    ...(workers > 1 ? { gradientSource: t.createWorkerGradientSource({ workers }) } : {}),
    train: job.train,
    ...(job.val && job.val.length > 0 ? { val: job.val } : {}),
    config: job.config,
    checkpointDir,
    metricsPath,
    resume: job.fresh !== true,
    signal: ctx.io.signal,
    onStep: (e) => {
      progress.update(e.step, `loss ${e.loss.toFixed(3)} ${Math.round(e.tokens_per_s)} tok/s`);
    },
  });
  if (result.resumedFrom !== null) ctx.out.note(`resumed from step ${result.resumedFrom}`);
  progress.finish(result.finalLoss !== null ? `loss ${result.finalLoss.toFixed(3)}` : "");
  let manifestPath: string | undefined;
  try {
    manifestPath = (await writeManifest(result.manifest, { dir: job.runDir, overwrite: true })).path;
  } catch (e) {
    ctx.out.warn(`could not write the run manifest: ${(e as Error).message}`);
  }
  if (result.stopReason === "aborted") {
    result.model.gpt.dispose();
    throw new TunixError("ABORTED", `training interrupted at step ${result.steps}/${total}; checkpoint saved in ${checkpointDir} — run the same command again to resume`);
  }
  return { result, metricsPath, checkpointDir, manifestPath };
}

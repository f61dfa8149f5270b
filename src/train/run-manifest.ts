/** Builds the `TrainingRunManifest` (schema owned by `src/manifest/`) at the end of a run. */
import { hashJson } from "../internal/hash.js";
import { TrainingRunManifestSchema, type TrainingRunManifest } from "../manifest/index.js";
import type { RenderTraceOptions } from "../render/index.js";
import { GEMMA_TEMPLATE_SHA256 } from "../eval/index.js";
import { LIBRARY_VERSION } from "../internal/version.js";
import type { TrainConfig } from "./config.js";
import type { CheckpointEvent, TrainEvent } from "./events.js";
import type { GPTConfig } from "./model.js";
import type { PreparedData } from "./prepare.js";
import type { Tokenizer } from "./tokenizer.js";

/** Inputs of {@link buildRunManifest}. */
export interface RunManifestParts {
  /** Resolved training config. */
  readonly config: TrainConfig;
  /** Model shape. */
  readonly modelConfig: GPTConfig;
  /** Tokenizer used. */
  readonly tokenizer: Tokenizer;
  /** Render options traces were rendered with. */
  readonly render: RenderTraceOptions | undefined;
  /** Encoded data (fingerprints and stats). */
  readonly data: PreparedData;
  /** Dataset manifest identity, when the data came from one (overrides the encoded-data fingerprints). */
  readonly dataset?: { readonly key?: string; readonly fingerprint?: string; readonly evalFingerprint?: string } | undefined;
  /** Final loop state. */
  readonly state: { step: number; bestValLoss: number | null; history: TrainEvent[] };
  /** Why the run stopped. */
  readonly stopReason: "max_steps" | "early_stop" | "aborted";
  /** Last step's loss. */
  readonly finalLoss: number | null;
  /** Last val loss. */
  readonly valLoss: number | null;
  /** Checkpoints written. */
  readonly checkpoints: readonly CheckpointEvent[];
  /** Backend name. */
  readonly backend: string;
  /**
   * Which kernels computed the matmuls on that backend ("native-avx512", "native-avx2", "xnnpack",
   * "stock"); same seed + backend + kernels + workers ⇒ bit-identical run.
   */
  readonly kernels?: string;
  /** Gradient source kind. */
  readonly gradientSource: string;
  /** Replica count. */
  readonly replicas: number;
  /** Run start (ms since epoch). */
  readonly startedAt: number;
  /** Wall time of this session in seconds. */
  readonly wallTimeS: number;
}

/**
 * A validated {@link TrainingRunManifest} for a finished (or aborted) run. The dataset fingerprint is
 * the sha256 of the encoded training examples; the template reference hashes the render options.
 *
 * @param p - the run's parts.
 */
export function buildRunManifest(p: RunManifestParts): TrainingRunManifest {
  const render = p.render ?? {};
  const templateName = render.compat === "tunix-rt" ? "tunix-rt" : (render.template ?? "gemma3");
  const config = JSON.parse(JSON.stringify({ ...p.config, resolved_model: p.modelConfig })) as Record<string, never>;
  const lastStep = [...p.state.history].reverse().find((e) => e.type === "step");
  return TrainingRunManifestSchema.parse({
    schema_version: 1,
    run_id: `run-${p.data.trainFingerprint.slice(0, 12)}-${hashJson(config).slice(0, 8)}`,
    created_at: new Date(p.startedAt).toISOString(),
    finished_at: p.stopReason === "aborted" ? null : new Date().toISOString(),
    status: p.stopReason === "aborted" ? "aborted" : "completed",
    dataset_key: p.dataset?.key ?? null,
    dataset_fingerprint: p.dataset?.fingerprint ?? p.data.trainFingerprint,
    eval_dataset_fingerprint: p.dataset?.evalFingerprint ?? p.data.valFingerprint,
    config,
    seed: p.config.seed,
    tokenizer_hash: p.tokenizer.hash,
    // The official template's sha256 (the same identity evaluation reports record); the legacy
    // tunix-rt layout has no template file, so its render options are hashed instead.
    template: {
      name: templateName,
      sha256: templateName === "gemma2" || templateName === "gemma3" ? GEMMA_TEMPLATE_SHA256[templateName] : hashJson(render as Record<string, never>),
    },
    final_metrics: {
      loss: p.finalLoss,
      val_loss: p.valLoss,
      best_val_loss: p.state.bestValLoss,
      tokens_per_s: lastStep?.type === "step" ? lastStep.tokens_per_s : null,
    },
    checkpoints: p.checkpoints.map((c) => ({ path: c.path, sha256: c.weights_sha256, step: c.step })),
    steps: p.state.step,
    library_version: LIBRARY_VERSION,
    backend: p.backend,
    wall_time_s: p.wallTimeS,
    extra: {
      stop_reason: p.stopReason,
      kernels: p.kernels ?? "stock",
      gradient_source: p.gradientSource,
      replicas: p.replicas,
      data: JSON.parse(JSON.stringify(p.data.stats)) as Record<string, never>,
      encoded_train_fingerprint: p.data.trainFingerprint,
    },
  });
}

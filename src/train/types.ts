/**
 * Shared trainer types and the seams other parts plug into: the {@link GradientSource} (in-process by
 * default; a data-parallel worker pool in `src/train/parallel/`) and the plain-data {@link TokenBatch}
 * that crosses thread boundaries.
 *
 * @module
 */
import type * as tfNs from "@tensorflow/tfjs";

/** The tfjs namespace in use (`@tensorflow/tfjs`, or the one `@tensorflow/tfjs-node` re-exports). */
export type Tf = typeof tfNs;
/** A tfjs tensor. */
export type Tensor = tfNs.Tensor;
/** A tfjs variable (a trainable parameter). */
export type Variable = tfNs.Variable;
/** Which tfjs backend runs the math. */
export type BackendName = "node" | "wasm" | "cpu";

/**
 * One micro-batch as plain typed arrays (row-major `[batchSize, seqLen]`), so it can be posted to a
 * worker unchanged. Several examples may share a row (packing): `segments` then isolates them in
 * attention and `positions` restarts at 0 for each example.
 */
export interface TokenBatch {
  /** Rows in the batch (B). */
  readonly batchSize: number;
  /** Tokens per row (T). */
  readonly seqLen: number;
  /** Input token ids `[B*T]`. */
  readonly inputs: Int32Array;
  /** Next-token targets `[B*T]` (0 = `<pad>` where unused). */
  readonly targets: Int32Array;
  /** Loss weight per target `[B*T]`: 1 on supervised (completion) tokens, 0 elsewhere. */
  readonly weights: Float32Array;
  /** Position index per token `[B*T]`, restarting at 0 for every packed example. */
  readonly positions: Int32Array;
  /** Example id per token within its row `[B*T]`, starting at 1; 0 marks padding. */
  readonly segments: Int32Array;
  /** True when no row holds more than one example, so a plain causal mask is exact. */
  readonly causalOnly: boolean;
}

/**
 * Result of a forward+backward pass: the token-weighted loss SUM (not mean) over supervised tokens, the
 * supervised token count, and the gradient of that sum. Shards and micro-batches therefore combine
 * exactly: add the sums, add the counts, add the grads, then divide by the total count.
 */
export interface LossAndGrads {
  /** Sum of per-token cross-entropy (nats) over supervised tokens. */
  readonly loss: number;
  /** Gradient of `loss` for every parameter, keyed by parameter name (`wte`, `h.0.attn.c_q.weight`, ...). */
  readonly grads: Record<string, Tensor>;
  /** Number of supervised tokens (sum of weights). */
  readonly tokens: number;
}

/** What {@link GradientSource.afterStep} is told about the update the trainer just applied. */
export interface AppliedUpdate {
  /** The 1-based optimizer step that was applied. */
  readonly step: number;
  /** Learning rate used for it. */
  readonly lr: number;
  /**
   * The mean gradients (token-weighted, before clipping) passed to `optimizer.applyGrads`. A replica that
   * calls `applyGrads(grads, lr)` on an identical optimizer gets bit-identical weights. Owned by the
   * trainer: they are disposed after `afterStep` resolves.
   */
  readonly grads: Record<string, Tensor>;
}

/** Everything a gradient source needs to build replicas. */
export interface GradientSourceContext {
  /** The main-process model (its weights are the truth at this point). */
  readonly model: import("./model.js").GPT;
  /** The main-process optimizer (export its state to seed replicas on resume). */
  readonly optimizer: import("./optimizer.js").AdamW;
}

/**
 * Where one optimizer step's gradients come from. The trainer calls `init` before the first step (and
 * again after restoring a checkpoint), then for each step `compute(microBatches)` followed by
 * `afterStep(update)`, and `close()` at the end. The default is {@link createInProcessGradientSource};
 * a worker pool implements the same contract by sharding the micro-batches and summing the results.
 */
export interface GradientSource {
  /** Short name recorded in metrics and manifests (`"in-process"`, `"workers"`). */
  readonly kind: string;
  /** Number of model replicas computing gradients (1 in-process). */
  readonly replicas: number;
  /** Prepare replicas from the current weights and optimizer state. May be called more than once. */
  init(context: GradientSourceContext): Promise<void>;
  /**
   * Sum of {@link LossAndGrads} over all micro-batches of one step: `loss` and `tokens` are sums, `grads`
   * is the gradient of the summed loss (the caller divides by `tokens`). The caller owns (disposes) the
   * returned grads. The result must not depend on how the work was split.
   */
  compute(microBatches: readonly TokenBatch[], step: number): Promise<LossAndGrads>;
  /** Called after the main optimizer applied `update`, so replicas can apply the identical update. */
  afterStep(update: AppliedUpdate): Promise<void>;
  /** Release replicas (terminate workers). Idempotent. */
  close(): Promise<void>;
}

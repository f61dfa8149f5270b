/**
 * AdamW with decoupled weight decay (PyTorch semantics) and global-norm gradient clipping, written by
 * hand so its state can be exported and restored bit-exactly (tf.train.adam recomputes β powers on
 * restore and drifts in the last bit, notes/tfjs-training.md §5).
 *
 * `applyGrads(grads, lr)` is deterministic: every replica holding the same weights and state that calls
 * it with the same grads and lr ends with bit-identical weights.
 */
import { TunixError } from "../errors.js";
import { fusedAdamW, sumOfSquares, type FusedAdamWParams } from "./kernels/adamw-fused.js";
import { activeNativeOps } from "./kernels/native-ops.js";
import { fastKernelsReady } from "./kernels/self-test.js";
import type { GPT } from "./model.js";
import type { Tensor, Tf } from "./types.js";

/** AdamW hyper-parameters. */
export interface AdamWOptions {
  /** First-moment decay. Default 0.9. */
  readonly beta1?: number;
  /** Second-moment decay. Default 0.95 (nanoGPT; faster adaptation for small batches). */
  readonly beta2?: number;
  /** Denominator epsilon. Default 1e-8. */
  readonly eps?: number;
  /** Decoupled weight decay on matrices (not biases, LayerNorm or embeddings). Default 0.1. */
  readonly weightDecay?: number;
  /** Global-norm clip threshold; 0 disables. Default 1.0. */
  readonly clipNorm?: number;
}

/** Exact optimizer state (moments as raw float32 copies). */
export interface AdamWState {
  /** Number of updates applied so far. */
  readonly step: number;
  /** Running product β1^step (float64, kept exactly rather than recomputed). */
  readonly beta1Power: number;
  /** Running product β2^step. */
  readonly beta2Power: number;
  /** First moments by parameter name. */
  readonly m: Record<string, Float32Array>;
  /** Second moments by parameter name. */
  readonly v: Record<string, Float32Array>;
}

/** What one update reports. */
export interface UpdateInfo {
  /** Global L2 norm of the gradients before clipping. */
  readonly gradNorm: number;
  /** Factor the gradients were scaled by (1 when not clipped). */
  readonly clipScale: number;
}

/**
 * True when a parameter gets weight decay: 2-D projection matrices only — never biases, LayerNorm
 * gains/biases or the (tied) token and position embeddings.
 *
 * @param name - parameter name.
 * @param shape - parameter shape.
 */
export function isDecayed(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && name !== "wte" && name !== "wpe";
}

/**
 * Largest parameter updated by the fused JS kernel. Above it the vectorised wasm elementwise ops win
 * (a D256 L4 model: fused everywhere 42 cpu-ms vs 38 with tf ops; small tensors are launch-bound).
 */
const FUSED_MAX_SIZE = 131072;

/** The fused wasm update, returned in the `[m, v, next]` order of the tf-ops path. */
function fusedStep(p: Tensor, g: Tensor, m: Tensor, v: Tensor, params: FusedAdamWParams): [Tensor, Tensor, Tensor] {
  const [next, m1, v1] = fusedAdamW(p, g, m, v, params);
  return [m1, v1, next];
}

/** AdamW over one model's parameters. Has a lifecycle (moment tensors), so it is a class. */
export class AdamW {
  /** Resolved hyper-parameters. */
  readonly options: Required<AdamWOptions>;
  private readonly tf: Tf;
  private readonly model: GPT;
  private m: Record<string, Tensor> = {};
  private v: Record<string, Tensor> = {};
  private stepCount = 0;
  private b1p = 1;
  private b2p = 1;

  /**
   * @param model - the model whose parameters this updates in place.
   * @param options - hyper-parameters.
   */
  constructor(model: GPT, options: AdamWOptions = {}) {
    this.options = {
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.95,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0.1,
      clipNorm: options.clipNorm ?? 1.0,
    };
    const o = this.options;
    if (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1)) {
      throw new TunixError("TRAIN_CONFIG_INVALID", `optimizer: beta1/beta2 must be in [0, 1), got ${o.beta1}/${o.beta2}`);
    }
    if (!(o.eps > 0) || !(o.weightDecay >= 0) || !(o.clipNorm >= 0)) {
      throw new TunixError("TRAIN_CONFIG_INVALID", "optimizer: eps must be > 0, weightDecay and clipNorm ≥ 0");
    }
    this.tf = model.tf;
    this.model = model;
    for (const name of model.paramNames) {
      const shape = model.params[name]!.shape;
      this.m[name] = this.tf.keep(this.tf.zeros(shape));
      this.v[name] = this.tf.keep(this.tf.zeros(shape));
    }
  }

  /** Number of updates applied. */
  get step(): number {
    return this.stepCount;
  }

  /**
   * Clips `grads` to the global norm, then applies one AdamW update with learning rate `lr` to the
   * model's parameters in place. Does not dispose `grads`.
   *
   * @param grads - gradient per parameter name (already averaged over tokens).
   * @param lr - learning rate for this step.
   */
  applyGrads(grads: Readonly<Record<string, Tensor>>, lr: number): UpdateInfo {
    const { tf, model } = this;
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.options;
    for (const name of model.paramNames) {
      if (!grads[name]) throw new TunixError("INVALID_ARGUMENT", `applyGrads: missing gradient for ${name}`);
    }
    // On wasm with the fast kernels: one heap pass for the norm and one fused kernel per parameter
    // (18 → a few cpu-ms per step for 0.45 M params; see kernels/adamw-fused.ts).
    const fused = model.backend === "wasm" && fastKernelsReady();
    // The native AdamW is faster than the wasm elementwise ops at every size; the JS loop only below the cap.
    const fusedMax = activeNativeOps() !== null ? Infinity : FUSED_MAX_SIZE;
    let gradNorm: number;
    if (fused) gradNorm = Math.sqrt(sumOfSquares(model.paramNames.map((n) => grads[n]!)));
    else {
      const normT = tf.tidy(() => tf.sqrt(tf.addN(model.paramNames.map((n) => tf.sum(tf.square(grads[n]!))))));
      gradNorm = normT.dataSync()[0]!;
      normT.dispose();
    }
    const clipScale = clipNorm > 0 && gradNorm > clipNorm ? clipNorm / (gradNorm + 1e-6) : 1;
    this.stepCount += 1;
    this.b1p *= beta1;
    this.b2p *= beta2;
    const bc1 = 1 - this.b1p;
    const bc2 = 1 - this.b2p;
    for (const name of model.paramNames) {
      const p = model.params[name]!;
      const decay = weightDecay > 0 && isDecayed(name, p.shape);
      const [m, v, next] = fused && p.size <= fusedMax
        ? fusedStep(p, grads[name]!, this.m[name]!, this.v[name]!, {
            lr, beta1, beta2, eps, bc1, bc2, decayFactor: decay ? 1 - lr * weightDecay : 1, gradScale: clipScale,
          })
        : tf.tidy(() => {
        const g = clipScale === 1 ? grads[name]! : tf.mul(grads[name]!, clipScale);
        const m1 = tf.add(tf.mul(this.m[name]!, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(this.v[name]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        const upd = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), eps));
        const base = decay ? tf.mul(p, 1 - lr * weightDecay) : p;
        return [m1, v1, tf.sub(base, tf.mul(upd, lr))];
      });
      p.assign(next);
      next.dispose();
      this.m[name]!.dispose();
      this.v[name]!.dispose();
      this.m[name] = m;
      this.v[name] = v;
    }
    return { gradNorm, clipScale };
  }

  /** A copy of the exact state (moments downloaded as float32). */
  exportState(): AdamWState {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const name of this.model.paramNames) {
      m[name] = Float32Array.from(this.m[name]!.dataSync() as Float32Array);
      v[name] = Float32Array.from(this.v[name]!.dataSync() as Float32Array);
    }
    return { step: this.stepCount, beta1Power: this.b1p, beta2Power: this.b2p, m, v };
  }

  /**
   * Restores a state from {@link exportState} (or a checkpoint) exactly.
   *
   * @param state - the state; every parameter needs m and v of the right size.
   */
  importState(state: AdamWState): void {
    const { tf } = this;
    for (const name of this.model.paramNames) {
      const shape = this.model.params[name]!.shape;
      const size = shape.reduce((a, b) => a * b, 1);
      const m = state.m[name];
      const v = state.v[name];
      if (!m || !v || m.length !== size || v.length !== size) {
        throw new TunixError("CHECKPOINT_INCOMPATIBLE", `optimizer state: moments for ${name} missing or not ${size} values`);
      }
      this.m[name]!.dispose();
      this.v[name]!.dispose();
      this.m[name] = tf.keep(tf.tensor(m, shape));
      this.v[name] = tf.keep(tf.tensor(v, shape));
    }
    this.stepCount = state.step;
    this.b1p = state.beta1Power;
    this.b2p = state.beta2Power;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t.dispose();
    this.m = {};
    this.v = {};
  }
}

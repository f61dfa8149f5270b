/**
 * Attention implementations, resolved by name from a small registry so a faster kernel (for example a
 * per-slice XNNPACK attention in `src/train/kernels/`) can replace the default without touching the model:
 * `registerAttention("xnn", fn)` then `attentionImpl: "xnn"` in the model config.
 */
import { TunixError } from "../errors.js";
import type { Tensor, Tf } from "./types.js";

/** Inputs of one multi-head attention call. Activations are `[B, T, C]` with heads packed in `C`. */
export interface AttentionInputs {
  /** The tfjs namespace. */
  readonly tf: Tf;
  /** Queries `[B, Tq, C]`. */
  readonly q: Tensor;
  /** Keys `[B, Tk, C]` (for a KV cache: past and new keys, Tk ≥ Tq). */
  readonly k: Tensor;
  /** Values `[B, Tk, C]`. */
  readonly v: Tensor;
  /** Number of heads; head size is `C / nHead`. */
  readonly nHead: number;
  /**
   * Additive mask `[B or 1, Tq, Tk]`: 0 where query i may attend to key j, -1e9 elsewhere. It encodes
   * causality, padding and packed-example isolation.
   */
  readonly bias: Tensor;
  /**
   * True when `bias` is exactly the plain causal mask with Tq == Tk (no packing, no left padding), so an
   * implementation may ignore `bias` and apply causality itself.
   */
  readonly causalOnly: boolean;
}

/**
 * A differentiable attention implementation: `softmax(q·kᵀ/√hd + bias)·v` per head, returning `[B, Tq, C]`.
 * It runs under a gradient tape during training, so it must use differentiable ops or `tf.customGrad`.
 */
export type AttentionFn = (inputs: AttentionInputs) => Tensor;

/**
 * The reference implementation: split heads with reshape+transpose, batched matMul, softmax.
 * On wasm its batched matMuls run on a naive loop (~2.6 GFLOP/s, notes/tfjs-training.md §2); that is
 * what faster registered implementations are for.
 */
export const defaultAttention: AttentionFn = ({ tf, q, k, v, nHead, bias }) => {
  const [B, Tq, C] = q.shape as [number, number, number];
  const Tk = k.shape[1]!;
  const hd = C / nHead;
  const heads = (t: Tensor, T: number): Tensor => tf.transpose(tf.reshape(t, [B, T, nHead, hd]), [0, 2, 1, 3]); // [B, H, T, hd]
  const qh = heads(q, Tq);
  const kh = heads(k, Tk);
  const vh = heads(v, Tk);
  const scores = tf.add(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(hd)), tf.expandDims(bias, 1)); // [B, H, Tq, Tk]
  const att = tf.softmax(scores);
  const y = tf.matMul(att, vh); // [B, H, Tq, hd]
  return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B, Tq, C]); // [B, Tq, C]
};

const registry = new Map<string, AttentionFn>([["default", defaultAttention]]);

/**
 * Registers (or replaces) an attention implementation under `name`.
 *
 * @param name - the name models select with `attentionImpl`.
 * @param fn - the implementation.
 */
export function registerAttention(name: string, fn: AttentionFn): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) {
    throw new TunixError("INVALID_ARGUMENT", `registerAttention: name must match /^[a-z][a-z0-9_-]*$/, got ${JSON.stringify(name)}`);
  }
  registry.set(name, fn);
}

/**
 * The attention implementation registered under `name`; throws `TRAIN_CONFIG_INVALID` naming the known
 * ones when missing.
 *
 * @param name - a registered name (`"default"` always exists).
 */
export function resolveAttention(name: string): AttentionFn {
  const fn = registry.get(name);
  if (!fn) {
    throw new TunixError(
      "TRAIN_CONFIG_INVALID",
      `attentionImpl: unknown attention ${JSON.stringify(name)} (registered: ${[...registry.keys()].join(", ")})`,
    );
  }
  return fn;
}

/** Names of the registered attention implementations. */
export function listAttention(): string[] {
  return [...registry.keys()];
}

/**
 * The additive attention mask for a training batch: query i may attend to key j iff j ≤ i and both
 * belong to the same packed example (same segment id). Padding (segment 0) attends only to padding, so
 * no row is ever fully masked.
 */
import type { Tensor, Tf, TokenBatch } from "./types.js";

/** Large negative used for masked scores (exp underflows to exactly 0 in float32). */
export const MASKED = -1e9;

/**
 * `[B, T, T]` additive bias (0 allowed, {@link MASKED} blocked); `[1, T, T]` when the batch is
 * `causalOnly`.
 *
 * @param tf - tfjs namespace.
 * @param batch - the batch (uses `segments`, `batchSize`, `seqLen`, `causalOnly`).
 */
export function attentionBias(tf: Tf, batch: TokenBatch): Tensor {
  const T = batch.seqLen;
  if (batch.causalOnly) {
    const out = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) out[i * T + j] = MASKED;
    return tf.tensor3d(out, [1, T, T]);
  }
  const B = batch.batchSize;
  const seg = batch.segments;
  const out = new Float32Array(B * T * T);
  for (let b = 0; b < B; b++) {
    const row = b * T;
    for (let i = 0; i < T; i++) {
      const si = seg[row + i];
      const base = (row + i) * T;
      for (let j = 0; j < T; j++) if (j > i || seg[row + j] !== si) out[base + j] = MASKED;
    }
  }
  return tf.tensor3d(out, [B, T, T]);
}

/**
 * `fastMatMul`: a drop-in for `tf.matMul` (same shapes and transpose flags, batch dims equal or
 * `b` unbatched) that keeps every product, forward and backward, on XNNPACK when the backend is wasm.
 *
 * Transposes are done explicitly (`tf.transpose`, 20+ GFLOP/s path afterwards) instead of through the
 * matmul flags (1.4–2.8 GFLOP/s naive loop), and batched products run slice by slice
 * (`slice-matmul.ts`). The gradient is written by hand in the same terms, so autodiff never emits a
 * slow matmul. On any other backend, or when the start-up self-test failed, it is `tf.matMul`.
 */
import * as tf from "@tensorflow/tfjs";
import { sliceMatMulRaw } from "./slice-matmul.js";
import { fastKernelsReady } from "./self-test.js";

/** Swaps the last two axes (`[..., M, K] → [..., K, M]`). */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/** Raw product with optional transposes, no gradient; transposes explicitly then slices. */
export function rawMatMul(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  return tf.tidy(() => sliceMatMulRaw(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b));
}

/** Sums a broadcast gradient `[...batch, K, N]` down to `b`'s unbatched shape. */
function reduceToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const last2 = g.shape.slice(-2);
  return tf.sum(tf.reshape(g, [-1, ...last2]), 0).reshape([...shape]);
}

type MM = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const withGrad = new Map<string, MM>();

function gradFn(transposeA: boolean, transposeB: boolean): MM {
  const key = `${transposeA ? 1 : 0}${transposeB ? 1 : 0}`;
  let fn = withGrad.get(key);
  if (fn !== undefined) return fn;
  fn = tf.customGrad(((A: tf.Tensor, B: tf.Tensor, save: tf.GradSaveFunc) => {
    // Forward operands in row-major form: A' = op(a), B' = op(b); C = A' @ B'.
    const Ap = transposeA ? swapLast(A) : A;
    const Bp = transposeB ? swapLast(B) : B;
    save([Ap, Bp]);
    return {
      value: sliceMatMulRaw(Ap, Bp),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ap, bp] = saved as [tf.Tensor, tf.Tensor];
        // dA' = dC @ B'ᵀ, dB' = A'ᵀ @ dC; undo op() by transposing the product order.
        const da = transposeA ? rawMatMul(bp, dy, false, true) : rawMatMul(dy, bp, false, true);
        const dbFull = transposeB ? rawMatMul(dy, ap, true, false) : rawMatMul(ap, dy, true, false);
        return [da, reduceToShape(dbFull, B.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as MM;
  withGrad.set(key, fn);
  return fn;
}

/**
 * `tf.matMul(a, b, transposeA, transposeB)` that stays on XNNPACK on wasm, with a hand-written gradient.
 * Batch dims of `a` and `b` must be equal, or `b` must be rank 2 (shared weights).
 * Falls back to `tf.matMul` on other backends or when the self-test failed.
 */
export function fastMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (!fastKernelsReady()) return tf.matMul(a, b, transposeA, transposeB);
  return gradFn(transposeA, transposeB)(a, b);
}

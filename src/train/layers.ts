/**
 * The building blocks: linear, LayerNorm, GELU and a summed, weighted cross-entropy. Activations are
 * 2-D `[N, C]` (N = B·T) so every matmul is a plain 2-D matMul.
 *
 * "fast" variants carry hand-written gradients. Why: autodiff emits `matMul(…, transposeA/B)` for the
 * backward pass, and tfjs-wasm runs transposed matMuls on a naive loop (1.4–2.8 GFLOP/s) instead of
 * XNNPACK (25–35). Explicit `tf.transpose` + plain matMul measured 5× faster per step on wasm
 * (notes/tfjs-training.md §2). On cpu the same trick is slower (the transposes are pure overhead), so
 * the model uses it on wasm only.
 */
import { geluSigmoid } from "./kernels/gelu.js";
import { activeNativeGemm } from "./kernels/native-gemm.js";
import { activeNativeOps, nativeCrossEntropySum, nativeGelu, nativeLayerNorm, nativeLinear } from "./kernels/native-ops.js";
import type { Tensor, Tf } from "./types.js";

type GradBody = (
  xs: Tensor[],
  save: (ts: Tensor[]) => void,
) => { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor[] };

/** `tf.customGrad` over exactly `n` tensor inputs, with the typings tfjs's variadic signature lacks. */
function custom(tf: Tf, n: number, body: GradBody): (...xs: Tensor[]) => Tensor {
  const f = (...args: unknown[]) => body(args.slice(0, n) as Tensor[], args[n] as (ts: Tensor[]) => void);
  return tf.customGrad(f as never) as unknown as (...xs: Tensor[]) => Tensor;
}

/** Column sums of a 2-D tensor as `ones[1,N] @ x` (wasm's Sum over axis 0 transposes first). */
function colSum(tf: Tf, x: Tensor): Tensor {
  const n = x.shape[0]!;
  return tf.reshape(tf.matMul(tf.ones([1, n]), x), [x.shape[1]!]);
}

/**
 * `x @ w + b` for `x [N, in]`, `w [in, out]`, `b [out]` (or no bias).
 *
 * @param tf - tfjs namespace.
 * @param x - input `[N, in]`.
 * @param w - weight `[in, out]`.
 * @param b - bias `[out]`, or null.
 * @param fast - use the explicit-transpose custom gradient (wasm).
 */
export function linear(tf: Tf, x: Tensor, w: Tensor, b: Tensor | null, fast: boolean): Tensor {
  if (fast && activeNativeOps() !== null) return nativeLinear(x, w, b);
  if (!fast) {
    const y = tf.matMul(x, w);
    return b ? tf.add(y, b) : y;
  }
  // With the native GEMM, transpose flags are free; XNNPACK needs the transposes done explicitly:
  // dW = xᵀ·dy, or (dyᵀ·x)ᵀ when that transposes fewer elements; dx = dy·wᵀ; db = ones·dy.
  const native = activeNativeGemm() !== null;
  const dX = (dy: Tensor, ww: Tensor): Tensor => (native ? tf.matMul(dy, ww, false, true) : tf.matMul(dy, tf.transpose(ww)));
  const dW = (xx: Tensor, dy: Tensor): Tensor =>
    native
      ? tf.matMul(xx, dy, true, false)
      : xx.size <= dy.size
        ? tf.matMul(tf.transpose(xx), dy)
        : tf.transpose(tf.matMul(tf.transpose(dy), xx));
  if (!b) {
    const f = custom(tf, 2, ([xx, ww], save) => {
      save([xx!, ww!]);
      return {
        value: tf.matMul(xx!, ww!),
        gradFunc: (dy, saved) => [dX(dy, saved[1]!), dW(saved[0]!, dy)],
      };
    });
    return f(x, w);
  }
  const f = custom(tf, 3, ([xx, ww, bb], save) => {
    save([xx!, ww!]);
    return {
      value: tf.add(tf.matMul(xx!, ww!), bb!),
      gradFunc: (dy, saved) => [dX(dy, saved[1]!), dW(saved[0]!, dy), colSum(tf, dy)],
    };
  });
  return f(x, w, b);
}

/**
 * The tied output head `h @ wteᵀ` (`wte [V, C]`): one fused kernel on the native path, else `linear`
 * with an explicit transpose.
 *
 * @param tf - tfjs namespace.
 * @param h - hidden states `[N, C]`.
 * @param wte - token embedding `[V, C]`.
 * @param fast - use the fast path.
 */
export function tiedHead(tf: Tf, h: Tensor, wte: Tensor, fast: boolean): Tensor {
  if (fast && activeNativeOps() !== null) return nativeLinear(h, wte, null, true);
  return linear(tf, h, tf.transpose(wte), null, fast);
}

/**
 * LayerNorm over the last axis of `x [N, C]` with gain `g [C]` and bias `b [C]`.
 *
 * @param tf - tfjs namespace.
 * @param x - input `[N, C]`.
 * @param g - gain `[C]`.
 * @param b - bias `[C]`.
 * @param eps - variance epsilon.
 * @param fast - use the hand-written backward (dγ/dβ via ones-matmul).
 */
export function layerNorm(tf: Tf, x: Tensor, g: Tensor, b: Tensor, eps: number, fast: boolean): Tensor {
  if (fast && activeNativeOps() !== null) return nativeLayerNorm(x, g, b, eps);
  if (!fast) {
    const mean = tf.mean(x, 1, true);
    const xc = tf.sub(x, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.mul(xc, xc), 1, true), eps));
    return tf.add(tf.mul(tf.mul(xc, rstd), g), b);
  }
  const f = custom(tf, 3, ([xx, gg, bb], save) => {
    const mean = tf.mean(xx!, 1, true);
    const xc = tf.sub(xx!, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.mul(xc, xc), 1, true), eps)); // [N, 1]
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, gg!]);
    return {
      value: tf.add(tf.mul(xhat, gg!), bb!),
      gradFunc: (dy, saved) => {
        const [xh, rs, gain] = saved as [Tensor, Tensor, Tensor];
        const dxhat = tf.mul(dy, gain);
        const dx = tf.mul(
          rs,
          tf.sub(tf.sub(dxhat, tf.mean(dxhat, 1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), 1, true))),
        );
        return [dx, colSum(tf, tf.mul(dy, xh)), colSum(tf, dy)];
      },
    };
  });
  return f(x, g, b);
}

/**
 * GELU, tanh approximation (GPT-2), evaluated as `x·σ(2z)` (the same function) with a hand-written
 * gradient: wasm's Tanh is a scalar loop (11 cpu-ms for [1024,512]) while Sigmoid is vectorised
 * (0.6 cpu-ms). See `kernels/gelu.ts`.
 *
 * @param tf - tfjs namespace.
 * @param x - any tensor.
 */
export function gelu(tf: Tf, x: Tensor): Tensor {
  if (activeNativeOps() !== null) return nativeGelu(x);
  return geluSigmoid(tf, x);
}

/**
 * Σᵢ wᵢ · CE(logitsᵢ, targetᵢ): the token-weighted cross-entropy SUM. Custom gradient
 * `wᵢ·(softmax − onehot)`. The one-hot is built as `cast(oneHot(int32), float32)` because wasm's
 * `oneHot(…, 'float32')` silently returns int32 bit patterns.
 *
 * @param tf - tfjs namespace.
 * @param logits - `[N, V]`.
 * @param targets - int32 `[N]`.
 * @param weights - float32 `[N]` (0 = not supervised).
 */
export function weightedCrossEntropySum(tf: Tf, logits: Tensor, targets: Tensor, weights: Tensor): Tensor {
  if (activeNativeOps() !== null) return nativeCrossEntropySum(logits, targets, weights);
  const V = logits.shape[1]!;
  const onehot = tf.cast(tf.oneHot(targets, V), "float32");
  const w = tf.reshape(weights, [-1, 1]); // [N, 1]
  const f = custom(tf, 1, ([lg], save) => {
    const lse = tf.logSumExp(lg!, 1, true); // [N, 1]
    const picked = tf.sum(tf.mul(lg!, onehot), 1, true); // [N, 1]
    // Closed-over tensors are disposed before backprop (gradients() tidies the forward), so anything the
    // backward needs goes through save().
    save([lg!, lse, onehot, w]);
    return {
      value: tf.sum(tf.mul(tf.sub(lse, picked), w)),
      gradFunc: (dy, saved) => {
        const [lg0, lse0, oh, ww] = saved as [Tensor, Tensor, Tensor, Tensor];
        const probs = tf.exp(tf.sub(lg0, lse0));
        return [tf.mul(tf.mul(tf.sub(probs, oh), ww), dy)];
      },
    };
  });
  return f(logits);
}

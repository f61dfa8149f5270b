/**
 * Start-up check of the fused native layers against plain tfjs-op formulas: forward values and the
 * gradients of every input, on small deterministic inputs (relative error ≤ 1e-4). Run once per thread
 * by the kernel self-test before the layers are switched on.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeCausalAttention, nativeCrossEntropySum, nativeGelu, nativeLayerNorm, nativeLinear } from "./native-ops.js";

type Tensor = tf.Tensor;

function ramp(shape: number[], phase: number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => tf.mul(tf.sin(tf.add(tf.mul(tf.range(0, n, 1, "float32"), 0.731), phase)), scale).reshape(shape));
}

function relErr(x: Tensor, y: Tensor): number {
  return tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(x, y))), tf.add(tf.max(tf.abs(y)), 1)).dataSync()[0] ?? Infinity);
}

const refLayerNorm = (x: Tensor, g: Tensor, b: Tensor): Tensor => {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.mul(xc, xc), -1, true), 1e-5))), g), b);
};

const refGelu = (x: Tensor): Tensor =>
  tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x))))))));

function refAttention(q: Tensor, k: Tensor, v: Tensor, H: number): Tensor {
  const [B, T, C] = q.shape as [number, number, number];
  const hd = C / H;
  const heads = (t: Tensor): Tensor => tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]);
  const mask = tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0));
  const s = tf.add(tf.mul(tf.matMul(heads(q), heads(k), false, true), 1 / Math.sqrt(hd)), tf.mul(mask, -1e9));
  return tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), heads(v)), [0, 2, 1, 3]), [B, T, C]);
}

/** Compares `fast` with `ref` on `inputs`: values and the gradient of Σ(out · w) for every input. */
function compare(name: string, inputs: Tensor[], fast: (...xs: Tensor[]) => Tensor, ref: (...xs: Tensor[]) => Tensor): string {
  return tf.tidy(() => {
    const want = ref(...inputs);
    const got = fast(...inputs);
    if (got.shape.join(",") !== want.shape.join(",")) return `${name}: shape [${got.shape}] instead of [${want.shape}]`;
    const w = ramp(want.shape, 0.9);
    const gw = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(ref(...xs), w)))(inputs);
    const gg = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(fast(...xs), w)))(inputs);
    const errs = [relErr(got, want), ...gg.map((g, i) => relErr(g, gw[i]!))];
    const worst = Math.max(...errs);
    return worst <= 1e-4 ? "" : `${name}: differs from the tfjs-op reference (rel err ${errs.map((e) => e.toExponential(1)).join(", ")})`;
  });
}

/** Runs every check; returns "" when all pass, else the first failure. */
export function checkNativeOps(): string {
  const x = ramp([2, 5, 12], 0.1);
  const w = ramp([12, 7], 0.2, 0.3);
  const wt = ramp([7, 12], 0.25, 0.3);
  const b = ramp([7], 0.3);
  const g = ramp([12], 0.4);
  const bn = ramp([12], 0.5);
  const q = ramp([2, 6, 8], 0.6);
  const k = ramp([2, 6, 8], 0.7);
  const v = ramp([2, 6, 8], 0.8);
  const logits = ramp([6, 9], 0.9, 3);
  const targets = tf.tensor1d([0, 8, 3, 3, 5, 1], "int32");
  const weights = tf.tensor1d([1, 0, 1, 2, 1, 0.5], "float32");
  const x2 = tf.reshape(x, [10, 12]);
  try {
    return (
      compare("linear", [x2, w, b], (a, c, d) => nativeLinear(a, c, d), (a, c, d) => tf.add(tf.matMul(a, c), d)) ||
      compare("linear (no bias)", [x2, w], (a, c) => nativeLinear(a, c, null), (a, c) => tf.matMul(a, c)) ||
      compare("tied head", [x2, wt], (a, c) => nativeLinear(a, c, null, true), (a, c) => tf.matMul(a, c, false, true)) ||
      compare("layer norm", [x, g, bn], (a, c, d) => nativeLayerNorm(a, c, d, 1e-5), refLayerNorm) ||
      compare("attention", [q, k, v], (a, c, d) => nativeCausalAttention(a, c, d, 2), (a, c, d) => refAttention(a, c, d, 2)) ||
      compare("gelu", [x], nativeGelu, refGelu) ||
      compare(
        "cross-entropy",
        [logits],
        (l) => nativeCrossEntropySum(l, targets, weights),
        (l) => tf.sum(tf.mul(tf.sub(tf.squeeze(tf.logSumExp(l, 1, true), [1]), tf.sum(tf.mul(l, tf.cast(tf.oneHot(targets, 9), "float32")), 1)), weights)),
      )
    );
  } finally {
    tf.dispose([x, w, wt, b, g, bn, q, k, v, logits, targets, weights, x2]);
  }
}

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fastMatMul } from "../../src/train/kernels/fast-matmul.js";
import { fastKernelStatus, setFastKernelsEnabled } from "../../src/train/kernels/self-test.js";

function data(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, "float32", seed);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);
}

const CASES: Array<[string, number[], number[], boolean, boolean]> = [
  ["attention scores q@kT", [2, 4, 16, 8], [2, 4, 16, 8], false, true],
  ["attention output p@v", [2, 4, 16, 16], [2, 4, 16, 8], false, false],
  ["transposed a", [3, 9, 5], [3, 9, 6], true, false],
  ["both transposed", [3, 5, 9], [3, 6, 5], true, true],
  ["2-D linear", [12, 7], [7, 5], false, false],
  ["broadcast weights", [2, 6, 7], [7, 5], false, false],
];

describe("fast wasm kernels", () => {
  beforeAll(async () => {
    await tf.setBackend("wasm");
    await tf.ready();
  });
  afterAll(() => setFastKernelsEnabled(true));

  it("passes the start-up self-test on the pinned tfjs", () => {
    const s = fastKernelStatus();
    expect(s).toEqual({ enabled: true, backend: "wasm", reason: "" });
  });

  it.each(CASES)("fastMatMul matches tf.matMul forward and gradients: %s", (_n, sa, sb, ta, tb) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const a = data(sa, 1);
      const b = data(sb, 2);
      const w = data(tf.matMul(a, b, ta, tb).shape, 3);
      // tf.matMul's own gradient is wrong for broadcast weights (notes §1), so the reference flattens.
      const refMM = (x: tf.Tensor, y: tf.Tensor): tf.Tensor =>
        x.rank > 2 && y.rank === 2
          ? tf.reshape(tf.matMul(tf.reshape(x, [-1, x.shape[x.rank - 1] ?? 0]), y), w.shape)
          : tf.matMul(x, y, ta, tb);
      const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(refMM(x, y), w)));
      const fast = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(fastMatMul(x, y, ta, tb), w)));
      expect(maxDiff(fastMatMul(a, b, ta, tb), tf.matMul(a, b, ta, tb))).toBeLessThan(1e-5);
      const [ra, rb] = ref([a, b]) as [tf.Tensor, tf.Tensor];
      const [fa, fb] = fast([a, b]) as [tf.Tensor, tf.Tensor];
      expect(fa.shape).toEqual(a.shape);
      expect(fb.shape).toEqual(b.shape);
      expect(maxDiff(fa, ra)).toBeLessThan(1e-4);
      expect(maxDiff(fb, rb)).toBeLessThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is bit-reproducible run to run", () => {
    const run = (): Float32Array =>
      tf.tidy(() => fastMatMul(data([4, 8, 16, 8], 5), data([4, 8, 16, 8], 6), false, true).dataSync() as Float32Array);
    expect(Buffer.from(run().buffer).equals(Buffer.from(run().buffer))).toBe(true);
  });

  it("falls back to tf.matMul when disabled by the caller", () => {
    setFastKernelsEnabled(false);
    expect(fastKernelStatus()).toMatchObject({ enabled: false, reason: "disabled by caller" });
    tf.tidy(() => {
      const a = data([2, 3, 4, 5], 7);
      const b = data([2, 3, 5, 6], 8);
      expect(maxDiff(fastMatMul(a, b), tf.matMul(a, b))).toBe(0);
    });
    setFastKernelsEnabled(true);
    expect(fastKernelStatus().enabled).toBe(true);
  });

  it("is disabled with a reason on the cpu backend and still computes the right product", async () => {
    await tf.setBackend("cpu");
    try {
      expect(fastKernelStatus()).toMatchObject({ enabled: false, backend: "cpu" });
      expect(fastKernelStatus().reason).toMatch(/wasm-only/);
      tf.tidy(() => {
        const a = data([2, 3, 4], 9);
        const b = data([2, 3, 5], 10);
        expect(maxDiff(fastMatMul(a, b, true, false), tf.matMul(a, b, true, false))).toBe(0);
      });
    } finally {
      await tf.setBackend("wasm");
    }
  });
});

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
    expect(s).toMatchObject({ enabled: true, backend: "wasm", reason: "" });
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

describe("bit-exact data-movement kernels (Transpose, GatherV2)", () => {
  beforeAll(async () => {
    await tf.setBackend("wasm");
    await tf.ready();
  });

  // [name, input shape, op]; the cpu backend's transpose/gather are exact copies, so it is the oracle.
  const cases: Array<[string, number[], (x: tf.Tensor) => tf.Tensor]> = [
    ["2-D tiled", [256, 192], (x) => tf.transpose(x)],
    ["2-D odd", [67, 130], (x) => tf.transpose(x)],
    ["batched tiled", [3, 64, 96], (x) => tf.transpose(x, [0, 2, 1])],
    ["head split", [2, 8, 4, 16], (x) => tf.transpose(x, [0, 2, 1, 3])],
    ["int32", [64, 128], (x) => tf.transpose(tf.cast(tf.mul(x, 1e6), "int32"))],
    ["embedding gather", [261, 32], (x) => tf.gather(x, tf.tensor1d([0, 260, 5, 5, 17], "int32"))],
    ["2-D index gather", [10, 3, 2], (x) => tf.gather(x, tf.tensor2d([[9, 0], [1, 1]], [2, 2], "int32"))],
    ["axis-1 gather (stock path)", [4, 6], (x) => tf.gather(x, tf.tensor1d([5, 0], "int32"), 1)],
  ];

  it.each(cases)("matches the cpu backend bit for bit: %s", async (_name, shape, op) => {
    expect(fastKernelStatus().enabled).toBe(true);
    const values = tf.tidy(() => data(shape, 11).dataSync() as Float32Array);
    const run = (): { shape: number[]; bits: Buffer } =>
      tf.tidy(() => {
        const t = op(tf.tensor(values, shape));
        return { shape: t.shape, bits: Buffer.from(t.dataSync().buffer.slice(0)) };
      });
    const fast = run();
    await tf.setBackend("cpu");
    const ref = run();
    await tf.setBackend("wasm");
    expect(fast.shape).toEqual(ref.shape);
    expect(fast.bits.equals(ref.bits)).toBe(true);
  });

  it("gathers rows exactly and rejects out-of-range indices by name", () => {
    fastKernelStatus();
    tf.tidy(() => {
      const table = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      expect(Array.from(tf.gather(table, tf.tensor1d([2, 0], "int32")).dataSync())).toEqual([5, 6, 1, 2]);
      expect(() => tf.gather(table, tf.tensor1d([3], "int32"))).toThrow(/GatherV2: the index value 3 is not in \[0, 2\]/);
    });
  });

  it("transposes exactly like a JS reference", () => {
    fastKernelStatus();
    tf.tidy(() => {
      const x = data([96, 128], 9);
      const xs = x.dataSync();
      const t = tf.transpose(x).dataSync();
      let ok = true;
      for (let i = 0; i < 96 && ok; i++) for (let j = 0; j < 128; j++) if (t[j * 96 + i] !== xs[i * 128 + j]) ok = false;
      expect(ok).toBe(true);
    });
  });
});

describe("geluSigmoid", () => {
  it("equals the tanh-form GELU and its autodiff gradient within float32 rounding", async () => {
    const { geluSigmoid } = await import("../../src/train/kernels/gelu.js");
    for (const backend of ["wasm", "cpu"]) {
      await tf.setBackend(backend);
      tf.tidy(() => {
        const x = tf.mul(data([64, 48], 12), 4);
        const w = data([64, 48], 13);
        const ref = (a: tf.Tensor): tf.Tensor =>
          tf.mul(tf.mul(a, 0.5), tf.add(tf.tanh(tf.mul(tf.add(a, tf.mul(tf.pow(a, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
        expect(maxDiff(geluSigmoid(tf, x), ref(x))).toBeLessThan(2e-6);
        const gRef = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ref(a), w)))(x);
        const gFast = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(geluSigmoid(tf, a), w)))(x);
        expect(maxDiff(gFast, gRef)).toBeLessThan(1e-5);
      });
    }
    await tf.setBackend("wasm");
  });
});

describe("fused AdamW (wasm)", () => {
  it("matches the tf-ops AdamW update and is deterministic", async () => {
    const { fusedAdamW, sumOfSquares } = await import("../../src/train/kernels/adamw-fused.js");
    await tf.setBackend("wasm");
    expect(fastKernelStatus().enabled).toBe(true);
    tf.tidy(() => {
      const p = data([33, 17], 21);
      const g = data([33, 17], 22);
      const m = tf.mul(data([33, 17], 23), 0.1);
      const v = tf.abs(tf.mul(data([33, 17], 24), 0.01));
      const h = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, bc1: 1 - 0.9 ** 3, bc2: 1 - 0.95 ** 3, decayFactor: 1 - 3e-4, gradScale: 0.7 };
      const [p1, m1, v1] = fusedAdamW(p, g, m, v, h);
      const gs = tf.mul(g, h.gradScale);
      const mr = tf.add(tf.mul(m, h.beta1), tf.mul(gs, 1 - h.beta1));
      const vr = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(gs), 1 - h.beta2));
      const pr = tf.sub(tf.mul(p, h.decayFactor), tf.mul(tf.div(tf.div(mr, h.bc1), tf.add(tf.sqrt(tf.div(vr, h.bc2)), h.eps)), h.lr));
      expect(maxDiff(p1, pr)).toBeLessThan(1e-6);
      expect(maxDiff(m1, mr)).toBeLessThan(1e-7);
      expect(maxDiff(v1, vr)).toBeLessThan(1e-8);
      const [p2] = fusedAdamW(p, g, m, v, h);
      expect(Buffer.from(p2.dataSync().buffer).equals(Buffer.from(p1.dataSync().buffer))).toBe(true);
      const want = tf.add(tf.sum(tf.square(p)), tf.sum(tf.square(g))).dataSync()[0]!;
      expect(sumOfSquares([p, g])).toBeCloseTo(want, 3);
    });
  });
});

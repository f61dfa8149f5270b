import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { activeNativeGemm, loadNativeGemm } from "../../src/train/kernels/native-gemm.js";
import { fastKernelStatus, setFastKernelsEnabled } from "../../src/train/kernels/self-test.js";
import { activeNativeOps } from "../../src/train/kernels/native-ops.js";
import { initBackend } from "../../src/train/backend.js";
import { createGPT, lossAndGrads, resolveGPTConfig } from "../../src/train/model.js";
import { registerXnnAttention } from "../../src/train/kernels/xnn-attention.js";
import { fusedAdamW, sumOfSquares } from "../../src/train/kernels/adamw-fused.js";

const run = promisify(execFile);
const fixture = join(__dirname, "fixtures", "native-products.ts");

/** Products in float64 from the stored layouts: the reference every GEMM path is held to. */
function reference(a: Float32Array, b: Float32Array, M: number, N: number, K: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ta ? k * M + m : m * K + k]! * b[tb ? n * K + k : k * N + n]!;
      out[m * N + n] = s;
    }
  }
  return out;
}

async function child(env: Record<string, string>): Promise<{ native: string; nativeReason: string; sha256: string }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", fixture], { env: { ...process.env, ...env }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as { native: string; nativeReason: string; sha256: string };
}

const addonBuilt = loadNativeGemm().addon !== null;

describe("native GEMM", () => {
  beforeAll(async () => {
    await tf.setBackend("wasm");
    await tf.ready();
    fastKernelStatus();
  });

  it("is built and active in CI (npm ci runs scripts/build-native.mjs)", () => {
    const s = fastKernelStatus();
    if (process.env["CI"]) expect(s.native, s.nativeReason).toMatch(/^(avx512|avx2|scalar)$/);
    if (!addonBuilt) console.warn(`native GEMM not built here (${loadNativeGemm().reason}); its tests are skipped`);
  });

  it.runIf(addonBuilt)("computes tf.matMul for any shape, transpose and batch broadcast (float64 reference)", () => {
    fc.assert(
      fc.property(
        fc.record({
          M: fc.integer({ min: 1, max: 70 }),
          N: fc.integer({ min: 1, max: 70 }),
          K: fc.integer({ min: 1, max: 600 }),
          batch: fc.integer({ min: 1, max: 3 }),
          ta: fc.boolean(),
          tb: fc.boolean(),
          shareB: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        ({ M, N, K, batch, ta, tb, shareB, seed }) => {
          const sa = [batch, ...(ta ? [K, M] : [M, K])];
          const sb = shareB ? (tb ? [N, K] : [K, N]) : [batch, ...(tb ? [N, K] : [K, N])];
          const [a, b, c] = tf.tidy(() => {
            const x = tf.randomUniform(sa, -1, 1, "float32", seed);
            const y = tf.randomUniform(sb, -1, 1, "float32", seed + 1);
            return [x, y, tf.matMul(x, y, ta, tb)];
          });
          expect(c.shape).toEqual([batch, M, N]);
          const ad = a.dataSync() as Float32Array;
          const bd = b.dataSync() as Float32Array;
          const cd = c.dataSync() as Float32Array;
          for (let i = 0; i < batch; i++) {
            const bi = shareB ? bd : bd.subarray(i * K * N, (i + 1) * K * N);
            const want = reference(ad.subarray(i * M * K, (i + 1) * M * K), bi, M, N, K, ta, tb);
            for (let j = 0; j < M * N; j++) {
              expect(Math.abs(cd[i * M * N + j]! - want[j]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.sqrt(K)) * 4);
            }
          }
          tf.dispose([a, b, c]);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it.runIf(addonBuilt)("rejects operands outside the heap with a RangeError, writing nothing", () => {
    const addon = activeNativeGemm() ?? loadNativeGemm().addon!;
    const heap = new ArrayBuffer(64);
    new Float32Array(heap).fill(3);
    expect(() => addon.gemm(heap, 0, 0, 32, 4, 4, 4, 0, 0, 1, 0, 0, 0)).toThrow(RangeError);
    expect(() => addon.gemm(heap, -4, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0)).toThrow(/outside the heap/);
    expect([...new Float32Array(heap)].every((v) => v === 3)).toBe(true);
    // A product that fits: [2,2] @ [2,2] identity.
    const f = new Float32Array(heap);
    f.set([1, 2, 3, 4, 1, 0, 0, 1], 0);
    addon.gemm(heap, 0, 16, 32, 2, 2, 2, 0, 0, 1, 0, 0, 0);
    expect([...f.subarray(8, 12)]).toEqual([1, 2, 3, 4]);
  });

  it.runIf(addonBuilt)("gives bit-identical products and training steps with the AVX-512, AVX2 and scalar kernels", async () => {
    const results = await Promise.all(["avx512", "avx2", "scalar"].map((isa) => child({ TUNIX_RT_GEMM_ISA: isa })));
    expect(results.map((r) => r.nativeReason)).toEqual(["", "", ""]);
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(results.find((r) => r.native === "scalar")).toBeDefined();
  });

  it.runIf(addonBuilt)("fused layers give the loss and every gradient of the tfjs-op model (micro GPT, padded batch)", async () => {
    const handle = await initBackend("wasm");
    registerXnnAttention();
    expect(activeNativeOps()).not.toBeNull();
    const config = resolveGPTConfig({ preset: "micro", nLayer: 2, blockSize: 64 }, 300);
    const model = createGPT(handle, config, { seed: 3, attentionImpl: "xnn" });
    const B = 3;
    const T = 40;
    const n = B * T;
    // Row 2 is half padding (weight 0): the cross-entropy must skip those rows exactly.
    const batch = {
      batchSize: B,
      seqLen: T,
      inputs: Int32Array.from({ length: n }, (_, i) => (i * 37) % 300),
      targets: Int32Array.from({ length: n }, (_, i) => (i * 11 + 5) % 300),
      weights: Float32Array.from({ length: n }, (_, i) => (i >= 2 * T + T / 2 ? 0 : (i % T) >= 5 ? 1 : 0)),
      positions: Int32Array.from({ length: n }, (_, i) => i % T),
      segments: new Int32Array(n),
      causalOnly: true,
    };
    const fused = lossAndGrads(model, batch as never);
    setFastKernelsEnabled(false);
    let plain;
    try {
      expect(activeNativeOps()).toBeNull();
      plain = lossAndGrads(model, batch as never);
    } finally {
      setFastKernelsEnabled(true);
    }
    expect(fused.tokens).toBe(plain.tokens);
    expect(Math.abs(fused.loss - plain.loss) / plain.loss).toBeLessThan(1e-5);
    for (const name of model.paramNames) {
      // Relative to the gradient's size, with an absolute floor: c_k.bias's true gradient is 0 (softmax
      // ignores a shift shared by all keys), so both sides are rounding noise there.
      const [diff, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(fused.grads[name]!, plain.grads[name]!))).dataSync()[0]!, tf.max(tf.abs(plain.grads[name]!)).dataSync()[0]!]);
      expect(diff!, name).toBeLessThanOrEqual(2e-3 * scale! + 1e-5);
    }
    tf.dispose([...Object.values(fused.grads), ...Object.values(plain.grads)]);
    model.dispose();
  });

  it.runIf(addonBuilt)("AdamW and the gradient norm are bit-identical to the JS heap loops", () => {
    const [p, g, m, v] = [1, 2, 3, 4].map((s) => tf.randomUniform([1031], -1, 1, "float32", s));
    const vv = tf.abs(v!);
    const h = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, bc1: 0.271, bc2: 0.0975, decayFactor: 1 - 3e-4, gradScale: 0.37 };
    const bits = (ts: tf.Tensor[]) => ts.map((t) => [...new Uint32Array((t.dataSync() as Float32Array).slice().buffer)]);
    expect(activeNativeOps()).not.toBeNull();
    const fast = fusedAdamW(p!, g!, m!, vv, h);
    const fastNorm = sumOfSquares([g!, p!]);
    setFastKernelsEnabled(false);
    let slow: tf.Tensor[];
    let slowNorm: number;
    try {
      expect(activeNativeOps()).toBeNull();
      slow = fusedAdamW(p!, g!, m!, vv, h);
      slowNorm = sumOfSquares([g!, p!]);
    } finally {
      setFastKernelsEnabled(true);
    }
    expect(bits(fast)).toEqual(bits(slow));
    expect(fastNorm).toBe(slowNorm);
    tf.dispose([p!, g!, m!, v!, vv, ...fast, ...slow]);
  });

  it("falls back to the wasm kernels with TUNIX_RT_NATIVE=0", async () => {
    const r = await child({ TUNIX_RT_NATIVE: "0" });
    expect(r).toMatchObject({ native: "", nativeReason: "disabled by TUNIX_RT_NATIVE" });
  });
});

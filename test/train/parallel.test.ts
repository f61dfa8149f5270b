import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendHandle } from "../../src/train/backend.js";
import { createInProcessGradientSource } from "../../src/train/gradient-source.js";
import { createGPT, resolveGPTConfig, type GPT } from "../../src/train/model.js";
import { AdamW } from "../../src/train/optimizer.js";
import { createWorkerGradientSource } from "../../src/train/parallel/pool.js";
import { shardBatches } from "../../src/train/parallel/protocol.js";
import type { GradientSource, Tensor, TokenBatch } from "../../src/train/types.js";
import { isTunixError } from "../../src/errors.js";
import { registerXnnAttention } from "../../src/train/kernels/xnn-attention.js";

const V = 40;
const T = 16;

/** Deterministic toy batch (LCG), with a few unsupervised tokens so shards get unequal token counts. */
function toyBatch(seed: number, B = 6): TokenBatch {
  let s = seed >>> 0;
  const r = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff);
  const n = B * T;
  const inputs = new Int32Array(n);
  const targets = new Int32Array(n);
  const weights = new Float32Array(n);
  const positions = new Int32Array(n);
  const segments = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    inputs[i] = r() % V;
    targets[i] = r() % V;
    positions[i] = i % T;
    weights[i] = (i % T) > (Math.floor(i / T) % 5) ? 1 : 0;
  }
  return { batchSize: B, seqLen: T, inputs, targets, weights, positions, segments, causalOnly: true };
}

function weightsOf(model: GPT): Float32Array {
  const parts = model.paramNames.map((n) => model.params[n]!.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A few AdamW steps through a gradient source, the way the trainer drives it. */
async function run(handle: BackendHandle, source: GradientSource, steps: number, attentionImpl = "default"): Promise<{ losses: number[]; weights: Float32Array; model: GPT }> {
  const config = resolveGPTConfig({ preset: "nano", blockSize: T, nEmbd: 32, nHead: 2 }, V);
  const model = createGPT(handle, config, { seed: 7, attentionImpl });
  const optimizer = new AdamW(model, {});
  await source.init({ model, optimizer });
  const losses: number[] = [];
  const tf = handle.tf;
  try {
    for (let step = 1; step <= steps; step++) {
      const { loss, tokens, grads } = await source.compute([toyBatch(step), toyBatch(100 + step, 3)], step);
      losses.push(loss / tokens);
      const mean: Record<string, Tensor> = {};
      for (const [k, g] of Object.entries(grads)) {
        mean[k] = tf.div(g, tokens);
        g.dispose();
      }
      optimizer.applyGrads(mean, 1e-2);
      await source.afterStep({ step, lr: 1e-2, grads: mean });
      for (const g of Object.values(mean)) g.dispose();
    }
    return { losses, weights: weightsOf(model), model };
  } finally {
    optimizer.dispose();
  }
}

describe("data-parallel worker replicas", () => {
  let handle: BackendHandle;
  beforeAll(async () => {
    handle = await initBackend("wasm");
    registerXnnAttention();
  });

  it("shards rows deterministically and evenly", () => {
    const shards = shardBatches([toyBatch(1, 5), toyBatch(2, 1)], 2);
    expect(shards.map((s) => s.map((b) => b.batchSize))).toEqual([[2], [3, 1]]);
    expect(Array.from(shards[0]![0]!.inputs)).toEqual(Array.from(toyBatch(1, 5).inputs.slice(0, 2 * T)));
  });

  it("2 replicas: same seed ⇒ bit-identical weights across runs (main+thread and all-thread layouts), replicas identical to main, losses match in-process", async () => {
    const inproc = await run(handle, createInProcessGradientSource(), 3);
    const results = [];
    for (const mainComputes of [true, false]) {
      const pool = createWorkerGradientSource({ workers: 2, mainComputes });
      try {
        const r = await run(handle, pool, 3, "xnn");
        const snaps = await pool.snapshots();
        results.push({ ...r, snaps, fast: [...pool.fastKernels] });
      } finally {
        await pool.close();
      }
    }
    const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
    expect(a.fast).toEqual([true, true]);
    expect(b.fast).toEqual([true, true]);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(a.losses).toEqual(b.losses);
    for (const r of [a, b]) {
      expect(r.snaps.length).toBe(2);
      for (const snap of r.snaps) expect(Buffer.from(snap.buffer).equals(Buffer.from(r.weights.buffer))).toBe(true);
    }
    // Token-weighted sharding gives the same loss as one process (up to float summation order).
    a.losses.forEach((l, i) => expect(l).toBeCloseTo(inproc.losses[i]!, 4));
    a.model.dispose();
    b.model.dispose();
    inproc.model.dispose();
  });

  it("surfaces a replica failure as TRAIN_WORKER_FAILED and closes cleanly", async () => {
    const pool = createWorkerGradientSource({ workers: 1, mainComputes: false });
    const config = resolveGPTConfig({ preset: "nano", blockSize: T }, V);
    const model = createGPT(handle, config, { seed: 1 });
    const optimizer = new AdamW(model, {});
    try {
      await pool.init({ model, optimizer });
      // seqLen beyond the replica's blockSize makes lossAndGrads throw inside the worker.
      const bad = { ...toyBatch(1, 2), seqLen: 2 * T, batchSize: 1 };
      const err = await pool.compute([bad], 1).catch((e: unknown) => e);
      expect(isTunixError(err) && err.code).toBe("TRAIN_WORKER_FAILED");
      expect(String((err as Error).message)).toMatch(/replica 0 failed: .*seqLen/);
    } finally {
      await pool.close();
      await pool.close();
      optimizer.dispose();
      model.dispose();
    }
  });

  it("rejects a bad worker count with a named error", () => {
    expect(() => createWorkerGradientSource({ workers: 0 })).toThrow(/workers: expected an integer/);
  });

  afterAll(() => undefined);
});

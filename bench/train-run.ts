/**
 * One trainer-throughput measurement in this process (used by bench/train.ts, one child per config).
 */
import { loadavg } from "node:os";
import { initBackend } from "../src/train/backend.js";
import { createInProcessGradientSource } from "../src/train/gradient-source.js";
import { fastKernelStatus } from "../src/train/kernels/self-test.js";
import { registerXnnAttention } from "../src/train/kernels/xnn-attention.js";
import { createGPT, resolveGPTConfig } from "../src/train/model.js";
import { AdamW } from "../src/train/optimizer.js";
import { createWorkerGradientSource } from "../src/train/parallel/pool.js";
import type { GradientSource, Tensor, TokenBatch } from "../src/train/types.js";

/** A reference shape. */
export interface Shape {
  d: number;
  l: number;
  h: number;
  t: number;
  b: number;
  v: number;
}

/** Issue 5's reference shapes (byte vocabulary: 256 bytes + 5 specials). */
export const SHAPES: Record<string, Shape> = {
  small: { d: 128, l: 2, h: 4, t: 64, b: 16, v: 261 },
  medium: { d: 256, l: 4, h: 8, t: 128, b: 16, v: 261 },
};

/** What to measure. */
export interface BenchConfig {
  shape: string;
  workers: number;
  backend: "wasm" | "cpu";
  attention: string;
  steps: number;
  warmup: number;
}

/** Training FLOPs per token (notes/tfjs-training.md). */
export function flopsPerToken(s: Shape): number {
  const nmm = 12 * s.l * s.d * s.d + s.v * s.d;
  return 6 * nmm + 12 * s.l * s.t * s.d;
}

/** A deterministic random-token batch (all tokens supervised, one example per row). */
function randomBatch(s: Shape, seed: number): TokenBatch {
  let x = (seed * 2654435761) >>> 0;
  const rnd = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  const n = s.b * s.t;
  const inputs = new Int32Array(n);
  const targets = new Int32Array(n);
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    inputs[i] = rnd() % s.v;
    targets[i] = rnd() % s.v;
    positions[i] = i % s.t;
  }
  return {
    batchSize: s.b,
    seqLen: s.t,
    inputs,
    targets,
    weights: new Float32Array(n).fill(1),
    positions,
    segments: new Int32Array(n).fill(1),
    causalOnly: true,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs warm-up + measured optimizer steps and returns the result row. */
export async function runTrainBench(c: BenchConfig): Promise<Record<string, unknown>> {
  const s = SHAPES[c.shape]!;
  const handle = await initBackend(c.backend);
  registerXnnAttention();
  const config = resolveGPTConfig({ nEmbd: s.d, nLayer: s.l, nHead: s.h, blockSize: s.t }, s.v);
  const model = createGPT(handle, config, { seed: 1, attentionImpl: c.attention });
  const optimizer = new AdamW(model, {});
  const source: GradientSource =
    c.workers === 0 ? createInProcessGradientSource() : createWorkerGradientSource({ workers: c.workers });
  const tf = handle.tf;
  const wall: number[] = [];
  const cpu: number[] = [];
  const losses: number[] = [];
  try {
    await source.init({ model, optimizer });
    for (let step = 1; step <= c.warmup + c.steps; step++) {
      const batch = randomBatch(s, step);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      // The trainer's step: grads (sum) → mean over tokens → AdamW (clip inside) → replicas follow.
      const { loss, tokens, grads } = await source.compute([batch], step);
      const mean: Record<string, Tensor> = {};
      for (const [k, g] of Object.entries(grads)) {
        mean[k] = tf.div(g, tokens);
        g.dispose();
      }
      optimizer.applyGrads(mean, 1e-3);
      await source.afterStep({ step, lr: 1e-3, grads: mean });
      for (const g of Object.values(mean)) g.dispose();
      const t1 = performance.now();
      const cu = process.cpuUsage(c0);
      losses.push(loss / tokens);
      if (step > c.warmup) {
        wall.push(t1 - t0);
        cpu.push((cu.user + cu.system) / 1000);
      }
    }
  } finally {
    await source.close();
  }
  const ms = median(wall);
  const tokensPerStep = s.b * s.t;
  const tps = (tokensPerStep / ms) * 1000;
  const status = fastKernelStatus();
  const result = {
    shape: c.shape,
    backend: handle.backend,
    workers: c.workers,
    attention: c.attention,
    fast_kernels: status.enabled,
    d: s.d,
    l: s.l,
    h: s.h,
    t: s.t,
    batch: s.b,
    vocab: s.v,
    tokens_per_s: Math.round(tps),
    gflops: Number(((tps * flopsPerToken(s)) / 1e9).toFixed(1)),
    ms_per_step: Number(ms.toFixed(1)),
    cpu_ms_per_step: Number(median(cpu).toFixed(1)),
    steps: c.steps,
    warmup: c.warmup,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    loss_first: Number(losses[0]!.toFixed(4)),
    loss_last: Number(losses[losses.length - 1]!.toFixed(4)),
    load_avg: Number(loadavg()[0]!.toFixed(2)),
  };
  optimizer.dispose();
  model.dispose();
  return result;
}

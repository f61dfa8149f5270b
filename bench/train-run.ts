/**
 * One trainer-throughput measurement in this process (used by bench/train.ts, one child per config):
 * the library's own `train()` on synthetic byte-level data, timed between `onStep` callbacks.
 */
import { loadavg } from "node:os";
import { initBackend } from "../src/train/backend.js";
import { fastKernelStatus, installFastKernels } from "../src/train/kernels/self-test.js";
import { registerXnnAttention } from "../src/train/kernels/xnn-attention.js";
import { train } from "../src/train/loop.js";
import { createWorkerGradientSource } from "../src/train/parallel/pool.js";

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

/**
 * Deterministic synthetic prompt/completion pairs, each longer than the block, so every row of every
 * batch is one example truncated to exactly `t` inputs (no padding, plain causal mask) — the same
 * token slots per step as the PyTorch reference.
 */
function syntheticPairs(s: Shape, count: number): Array<{ prompt: string; completion: string }> {
  let x = 0x9e3779b9;
  const rnd = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  const text = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + (rnd() % 95))).join("");
  return Array.from({ length: count }, () => ({ prompt: text(8), completion: text(s.t + 16) }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `train()` for warm-up + measured optimizer steps and returns the result row. */
export async function runTrainBench(c: BenchConfig): Promise<Record<string, unknown>> {
  const s = SHAPES[c.shape]!;
  const handle = await initBackend(c.backend);
  // What a wasm user gets from the library: bit-exact data-movement kernels + the xnn attention.
  installFastKernels();
  registerXnnAttention();
  const source = c.workers === 0 ? undefined : createWorkerGradientSource({ workers: c.workers });
  const stamps: number[] = [];
  const cpuStamps: number[] = [];
  const losses: number[] = [];
  let last = 0;
  const result = await train({
    train: syntheticPairs(s, 4 * s.b),
    backend: handle,
    ...(source ? { gradientSource: source } : {}),
    config: {
      model: { preset: "micro", nEmbd: s.d, nLayer: s.l, nHead: s.h, blockSize: s.t, attentionImpl: c.attention },
      tokenizer: { type: "byte" },
      data: { batchSize: s.b, batching: "pad" },
      schedule: { maxSteps: c.warmup + c.steps, warmupSteps: 1 },
      eval: { everySteps: 0 },
      seed: 1,
      // --workers 0 = in-process; without this the config default ("auto") would start a worker pool
      ...(source ? {} : { workers: 1 }),
    },
    onStep: (ev) => {
      const now = performance.now();
      const cu = process.cpuUsage();
      stamps.push(now);
      cpuStamps.push((cu.user + cu.system) / 1000);
      losses.push(ev.loss);
      last = ev.token_slots;
    },
  });
  result.model.gpt.dispose();
  if (last !== s.b * s.t) throw new Error(`bench: expected ${s.b * s.t} token slots per step, got ${last}`);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = c.warmup; i < stamps.length; i++) {
    wall.push(stamps[i]! - stamps[i - 1]!);
    cpu.push(cpuStamps[i]! - cpuStamps[i - 1]!);
  }
  const ms = median(wall);
  const tokensPerStep = s.b * s.t;
  const tps = (tokensPerStep / ms) * 1000;
  const status = fastKernelStatus();
  return {
    shape: c.shape,
    backend: handle.backend,
    workers: c.workers,
    attention: c.attention,
    fast_kernels: status.enabled,
    kernels: !status.enabled ? "stock" : status.native !== "" ? `native-${status.native}` : "xnnpack",
    d: s.d,
    l: s.l,
    h: s.h,
    t: s.t,
    batch: s.b,
    vocab: result.model.tokenizer.vocabSize,
    tokens_per_s: Math.round(tps),
    gflops: Number(((tps * flopsPerToken(s)) / 1e9).toFixed(1)),
    ms_per_step: Number(ms.toFixed(1)),
    ms_per_step_min: Number(Math.min(...wall).toFixed(1)),
    cpu_ms_per_step: Number(median(cpu).toFixed(1)),
    steps: c.steps,
    warmup: c.warmup,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    loss_first: Number(losses[0]!.toFixed(4)),
    loss_last: Number(losses[losses.length - 1]!.toFixed(4)),
    load_avg: Number(loadavg()[0]!.toFixed(2)),
  };
}

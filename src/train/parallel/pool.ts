/**
 * Data-parallel training on all cores: a {@link GradientSource} backed by N replicas (the main thread
 * plus `worker_threads`).
 *
 * Why: tfjs-wasm runs one thread per instance in Node (its pthread build is disabled there), so the
 * only robust way to use a second core is a second instance. Each worker holds a full replica built
 * from the main model's exact weights and optimizer state. Per step the main thread splits every
 * micro-batch by rows, each replica returns token-weighted loss/grad SUMS for its rows, the main thread
 * adds them in worker order (deterministic) and hands the sum to the trainer, which divides by the
 * total token count and applies AdamW. `afterStep` ships those mean grads to every replica, which
 * applies the identical update, so all replicas and the main model stay bit-identical. Measured
 * 1.5–1.9× one process on 2 cores (notes/tfjs-training.md §3).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { TunixError } from "../../errors.js";
import { resolveWorkerScript, workerExecArgv, type WorkerEntry, type WorkerScript } from "../../internal/worker-script.js";
import { sumLossAndGrads } from "../gradient-source.js";
import { fastKernelsReady } from "../kernels/self-test.js";
import { lossAndGrads, type GPT } from "../model.js";
import type { AppliedUpdate, GradientSource, GradientSourceContext, LossAndGrads, Tensor, TokenBatch } from "../types.js";
import { batchBuffers, shardBatches, type FromWorker, type InitMessage, type ToWorker } from "./protocol.js";

/** Options for {@link createWorkerGradientSource}. */
export interface WorkerPoolOptions {
  /** Number of replicas. Default: the number of cores (`os.availableParallelism()`). */
  readonly workers?: number;
  /** Explicit path of the replica entry script (default: found next to this module). */
  readonly workerScript?: string;
  /**
   * Whether the main thread computes shard 0 itself (default true: `workers − 1` threads are started).
   * With false, `workers` threads compute and the main thread only sums and applies the update.
   */
  readonly mainComputes?: boolean;
}

/** A worker-pool gradient source, with a few extras for inspection and tests. */
export interface WorkerGradientSource extends GradientSource {
  /** The replicas' current weights (all parameters concatenated in model order), main thread first. */
  snapshots(): Promise<Float32Array[]>;
  /** Per worker: whether the fast wasm kernels passed their self-test there (after `init`). */
  readonly fastKernels: readonly boolean[];
  /** Per worker: milliseconds the last `compute` took inside the worker. */
  readonly lastComputeMs: readonly number[];
}

/** The replica entry (tsup entry `train/parallel-worker`). */
const REPLICA_ENTRY: WorkerEntry = { what: "replica", source: "worker-entry.ts", built: "train/parallel-worker.js" };

type Reply = Exclude<FromWorker, { type: "error" }>;
interface Waiter {
  readonly expect: Reply["type"];
  resolve(msg: Reply): void;
  reject(err: Error): void;
}

class Replica {
  readonly worker: Worker;
  private readonly waiters: Waiter[] = [];
  private dead: Error | undefined;
  private closing = false;

  constructor(readonly index: number, script: WorkerScript) {
    this.worker = new Worker(script.path, { eval: script.evalCode, execArgv: workerExecArgv() });
    this.worker.on("message", (msg: FromWorker) => this.onMessage(msg));
    this.worker.on("error", (e) => this.fail(workerError(index, e.message, e)));
    this.worker.on("exit", (code) => {
      if (!this.closing || this.waiters.length > 0) this.fail(workerError(index, `exited unexpectedly (code ${code})`));
    });
  }

  private onMessage(msg: FromWorker): void {
    const w = this.waiters.shift();
    if (msg.type === "error") {
      const err = workerError(this.index, msg.message, undefined, msg.stack);
      if (w) w.reject(err);
      else this.fail(err);
      return;
    }
    if (!w) return this.fail(workerError(this.index, `unexpected ${msg.type} message`));
    if (w.expect !== msg.type) w.reject(workerError(this.index, `expected ${w.expect}, got ${msg.type}`));
    else w.resolve(msg);
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  /** Posts a message; resolves with the reply of type `expect`. */
  request<T extends Reply["type"]>(msg: ToWorker, expect: T, transfer: ArrayBuffer[] = []): Promise<Extract<Reply, { type: T }>> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.waiters.push({ expect, resolve: resolve as (m: Reply) => void, reject });
      this.worker.postMessage(msg, transfer);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (!this.dead) this.worker.postMessage({ type: "close" } satisfies ToWorker);
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}

function workerError(index: number, message: string, cause?: unknown, stack?: string): TunixError {
  return new TunixError("TRAIN_WORKER_FAILED", `workers: replica ${index} failed: ${message}`, {
    cause,
    details: { worker: index, ...(stack ? { stack } : {}) },
  });
}

function flatParams(model: GPT, values: Readonly<Record<string, Tensor>>): Float32Array {
  const sizes = model.paramNames.map((n) => model.params[n]!.size);
  const out = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let o = 0;
  for (const name of model.paramNames) {
    const t = values[name];
    if (!t) throw new TunixError("INVALID_ARGUMENT", `workers: missing tensor for parameter ${name}`);
    out.set(t.dataSync() as Float32Array, o);
    o += t.size;
  }
  return out;
}

/**
 * Creates the data-parallel gradient source. Worker threads start on the first `init` and stop on
 * `close`. Worker failures (exceptions, crashes) reject the pending call with `TRAIN_WORKER_FAILED`.
 *
 * By default the main thread is replica 0 and `workers − 1` threads are started: the main model
 * computes shard 0 while the threads compute the rest, and each thread's AdamW update (shipped by
 * `afterStep`) overlaps the main thread's next shard instead of running after it. That is one wasm
 * heap and one optimizer update fewer per step than `mainComputes: false`.
 *
 * @param options - replica count, whether the main thread computes, and the script location.
 */
export function createWorkerGradientSource(options: WorkerPoolOptions = {}): WorkerGradientSource {
  const n = options.workers ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new TunixError("TRAIN_CONFIG_INVALID", `workers: expected an integer in [1, 64], got ${String(options.workers)}`);
  }
  const mainComputes = options.mainComputes ?? true;
  const threadCount = mainComputes ? n - 1 : n;
  let threads: Replica[] = [];
  let model: GPT | undefined;
  let pendingApply: Promise<unknown> = Promise.resolve();
  let closed = false;
  const fastKernels: boolean[] = [];
  const lastComputeMs: number[] = [];

  const need = (): GPT => {
    if (!model || closed) throw new TunixError("INVALID_ARGUMENT", "workers: gradient source used before init() or after close()");
    return model;
  };

  return {
    kind: "workers",
    replicas: n,
    fastKernels,
    lastComputeMs,

    async init(context: GradientSourceContext) {
      if (closed) throw new TunixError("INVALID_ARGUMENT", "workers: init() after close()");
      model = context.model;
      if (threads.length === 0 && threadCount > 0) {
        const script = resolveWorkerScript(import.meta.url, REPLICA_ENTRY, options.workerScript);
        threads = Array.from({ length: threadCount }, (_, i) => new Replica(i + (mainComputes ? 1 : 0), script));
      }
      const m = model;
      const msg: InitMessage = {
        type: "init",
        backend: m.backend,
        config: m.config,
        attentionImpl: m.attentionImpl,
        fast: m.fast,
        names: m.paramNames,
        shapes: m.paramNames.map((name) => m.params[name]!.shape),
        weights: flatParams(m, m.params as Record<string, Tensor>),
        optimizerOptions: context.optimizer.options,
        optimizerState: context.optimizer.exportState(),
      };
      await pendingApply.catch(() => undefined);
      pendingApply = Promise.resolve();
      const ready = await Promise.all(threads.map((r) => r.request(msg, "ready")));
      const mainFast = mainComputes ? [fastKernelsReady()] : [];
      fastKernels.splice(0, fastKernels.length, ...mainFast, ...ready.map((r) => r.fastKernels));
    },

    async compute(microBatches: readonly TokenBatch[], step: number): Promise<LossAndGrads> {
      const m = need();
      if (microBatches.length === 0) throw new TunixError("INVALID_ARGUMENT", "workers: no micro-batches for this step");
      const shards = shardBatches(microBatches, n);
      const offset = mainComputes ? 1 : 0;
      // Post first (each thread finishes its pending AdamW update, then starts), then compute shard 0 here.
      const pending = threads.map((r, i) => {
        const shard = shards[i + offset]!;
        return r.request({ type: "compute", step, batches: shard }, "grads", batchBuffers(shard));
      });
      pending.forEach((p) => p.catch(() => undefined));
      let acc: LossAndGrads | undefined;
      if (mainComputes) {
        const t0 = performance.now();
        for (const batch of shards[0]!) {
          const part = lossAndGrads(m, batch);
          acc = acc ? sumLossAndGrads([acc, part], m.tf) : part;
        }
        lastComputeMs[0] = performance.now() - t0;
      }
      const replies = await Promise.all(pending);
      await pendingApply; // settled by now (replies come after the apply acks); surfaces apply failures
      // Sum in replica order: float addition is not associative, the order makes runs reproducible.
      const tf = m.tf;
      let loss = acc?.loss ?? 0;
      let tokens = acc?.tokens ?? 0;
      const grads: Record<string, Tensor> = acc ? { ...acc.grads } : {};
      replies.forEach((r, i) => {
        lastComputeMs[i + offset] = r.ms;
        loss += r.loss;
        tokens += r.tokens;
        if (r.grads.length === 0) return;
        let o = 0;
        for (const name of m.paramNames) {
          const p = m.params[name]!;
          const t = tf.tensor(r.grads.subarray(o, o + p.size), p.shape);
          o += p.size;
          const prev = grads[name];
          if (prev) {
            grads[name] = tf.add(prev, t);
            prev.dispose();
            t.dispose();
          } else grads[name] = t;
        }
      });
      if (Object.keys(grads).length === 0) throw new TunixError("INVALID_ARGUMENT", "workers: every micro-batch was empty");
      return { loss, tokens, grads };
    },

    async afterStep(update: AppliedUpdate) {
      const m = need();
      if (threads.length === 0) return;
      const flat = flatParams(m, update.grads);
      // Pipelined: the threads apply while the main thread goes on; the next compute is queued behind
      // the update in each thread, and compute() surfaces failures of these acknowledgements.
      pendingApply = Promise.all(
        threads.map((r, i) => {
          const copy = i === threads.length - 1 ? flat : flat.slice();
          return r.request({ type: "apply", step: update.step, lr: update.lr, grads: copy }, "applied", [copy.buffer as ArrayBuffer]);
        }),
      );
      pendingApply.catch(() => undefined);
    },

    async snapshots() {
      const m = need();
      await pendingApply;
      const replies = await Promise.all(threads.map((r) => r.request({ type: "snapshot" }, "snapshot")));
      const own = mainComputes ? [flatParams(m, m.params as Record<string, Tensor>)] : [];
      return [...own, ...replies.map((r) => r.weights)];
    },

    async close() {
      if (closed) return;
      closed = true;
      await pendingApply.catch(() => undefined);
      await Promise.all(threads.map((r) => r.close()));
      threads = [];
      model = undefined;
    },
  };
}

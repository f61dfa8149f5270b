/**
 * Messages between the main thread and data-parallel worker replicas, plus the plain-data helpers both
 * sides share (flattening parameter sets into one transferable buffer, sharding batches by rows).
 */
import type { AdamWOptions, AdamWState } from "../optimizer.js";
import type { GPTConfig } from "../model.js";
import type { BackendName, TokenBatch } from "../types.js";

/** Everything a replica needs to build a bit-identical copy of the main model and optimizer. */
export interface InitMessage {
  readonly type: "init";
  readonly backend: BackendName;
  readonly config: GPTConfig;
  readonly attentionImpl: string;
  readonly fast: boolean;
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  /** All parameters concatenated in `names` order. */
  readonly weights: Float32Array;
  readonly optimizerOptions: Required<AdamWOptions>;
  readonly optimizerState: AdamWState;
}

/** Compute the summed loss and gradients over these row shards. */
export interface ComputeMessage {
  readonly type: "compute";
  readonly step: number;
  readonly batches: readonly TokenBatch[];
}

/** Apply the trainer's update (mean grads, concatenated in parameter order) with this learning rate. */
export interface ApplyMessage {
  readonly type: "apply";
  readonly step: number;
  readonly lr: number;
  readonly grads: Float32Array;
}

/** Send back the replica's weights (for tests and consistency checks). */
export interface SnapshotMessage {
  readonly type: "snapshot";
}

/** Main → worker. */
export type ToWorker = InitMessage | ComputeMessage | ApplyMessage | SnapshotMessage | { readonly type: "close" };

/** Worker → main. */
export type FromWorker =
  | { readonly type: "ready"; readonly fastKernels: boolean }
  | { readonly type: "grads"; readonly loss: number; readonly tokens: number; readonly grads: Float32Array; readonly ms: number }
  | { readonly type: "applied"; readonly step: number }
  | { readonly type: "snapshot"; readonly weights: Float32Array }
  | { readonly type: "error"; readonly message: string; readonly stack?: string };

/** Total element count of a list of shapes. */
export function totalSize(shapes: readonly (readonly number[])[]): number {
  let n = 0;
  for (const s of shapes) n += s.reduce((a, b) => a * b, 1);
  return n;
}

/** Copies a list of arrays (in order) into one new Float32Array. */
export function concatF32(parts: readonly Float32Array[]): Float32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Row `[from, to)` of a batch as a new, independent batch (copies, so it can be transferred).
 *
 * @param batch - the micro-batch.
 * @param from - first row.
 * @param to - one past the last row.
 */
export function sliceRows(batch: TokenBatch, from: number, to: number): TokenBatch {
  const T = batch.seqLen;
  const a = from * T;
  const b = to * T;
  return {
    batchSize: to - from,
    seqLen: T,
    inputs: batch.inputs.slice(a, b),
    targets: batch.targets.slice(a, b),
    weights: batch.weights.slice(a, b),
    positions: batch.positions.slice(a, b),
    segments: batch.segments.slice(a, b),
    causalOnly: batch.causalOnly,
  };
}

/**
 * Splits every micro-batch into `n` contiguous row ranges (as even as possible) and gives worker `i`
 * its range of each. Deterministic; workers whose range is empty for every batch get an empty list.
 *
 * @param batches - the step's micro-batches.
 * @param n - number of workers.
 */
export function shardBatches(batches: readonly TokenBatch[], n: number): TokenBatch[][] {
  const out: TokenBatch[][] = Array.from({ length: n }, () => []);
  for (const batch of batches) {
    const B = batch.batchSize;
    for (let i = 0; i < n; i++) {
      const from = Math.floor((i * B) / n);
      const to = Math.floor(((i + 1) * B) / n);
      if (to > from) out[i]!.push(sliceRows(batch, from, to));
    }
  }
  return out;
}

/** The transferable buffers of a batch list (to pass as `transferList`). */
export function batchBuffers(batches: readonly TokenBatch[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const b of batches) {
    for (const arr of [b.inputs, b.targets, b.weights, b.positions, b.segments]) out.push(arr.buffer as ArrayBuffer);
  }
  return out;
}

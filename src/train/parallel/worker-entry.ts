/**
 * Entry point of one data-parallel replica (a `worker_threads` worker with its own tfjs + wasm
 * instance). It rebuilds the main model from the exact weights and optimizer state it is sent, then
 * loops: `compute` → token-weighted loss/grad SUMS on its row shard; `apply` → the identical AdamW update
 * the main thread applied. Same inputs in the same order ⇒ bit-identical replicas.
 *
 * Never imported by library code; the pool starts it by path (see `src/internal/worker-script.ts`).
 */
import { parentPort } from "node:worker_threads";
import { listAttention } from "../attention.js";
import { initBackend } from "../backend.js";
import { sumLossAndGrads } from "../gradient-source.js";
import { registerXnnAttention } from "../kernels/xnn-attention.js";
import { fastKernelsReady } from "../kernels/self-test.js";
import { createGPT, lossAndGrads, type GPT } from "../model.js";
import { AdamW } from "../optimizer.js";
import type { Tensor } from "../types.js";
import { concatF32, type FromWorker, type InitMessage, type ToWorker } from "./protocol.js";

interface Replica {
  model: GPT;
  optimizer: AdamW;
  names: readonly string[];
  shapes: readonly (readonly number[])[];
}

let replica: Replica | undefined;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(msg, transfer);
}

function need(): Replica {
  if (!replica) throw new Error("worker used before init");
  return replica;
}

async function init(msg: InitMessage): Promise<void> {
  registerXnnAttention();
  if (!listAttention().includes(msg.attentionImpl)) {
    throw new Error(`attention implementation ${JSON.stringify(msg.attentionImpl)} is not available in workers`);
  }
  replica?.optimizer.dispose();
  replica?.model.dispose();
  replica = undefined;
  const handle = await initBackend(msg.backend);
  const model = createGPT(handle, msg.config, { attentionImpl: msg.attentionImpl, fastPath: msg.fast ? "on" : "off" });
  const tf = handle.tf;
  let o = 0;
  msg.names.forEach((name, i) => {
    const shape = msg.shapes[i] as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const p = model.params[name];
    if (!p) throw new Error(`replica has no parameter ${name}`);
    const t = tf.tensor(msg.weights.subarray(o, o + size), shape);
    p.assign(t);
    t.dispose();
    o += size;
  });
  const optimizer = new AdamW(model, msg.optimizerOptions);
  optimizer.importState(msg.optimizerState);
  replica = { model, optimizer, names: msg.names, shapes: msg.shapes };
  post({ type: "ready", fastKernels: fastKernelsReady() });
}

function flatten(r: Replica, grads: Record<string, Tensor>): Float32Array {
  return concatF32(r.names.map((name) => grads[name]!.dataSync() as Float32Array));
}

function compute(batches: Extract<ToWorker, { type: "compute" }>["batches"]): void {
  const r = need();
  const t0 = performance.now();
  if (batches.length === 0) {
    post({ type: "grads", loss: 0, tokens: 0, grads: new Float32Array(0), ms: 0 });
    return;
  }
  let acc = lossAndGrads(r.model, batches[0]!);
  for (const b of batches.slice(1)) acc = sumLossAndGrads([acc, lossAndGrads(r.model, b)], r.model.tf);
  const flat = flatten(r, acc.grads);
  for (const g of Object.values(acc.grads)) g.dispose();
  post({ type: "grads", loss: acc.loss, tokens: acc.tokens, grads: flat, ms: performance.now() - t0 }, [flat.buffer as ArrayBuffer]);
}

function apply(step: number, lr: number, flat: Float32Array): void {
  const r = need();
  const tf = r.model.tf;
  const grads: Record<string, Tensor> = {};
  let o = 0;
  r.names.forEach((name, i) => {
    const shape = r.shapes[i] as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    grads[name] = tf.tensor(flat.subarray(o, o + size), shape);
    o += size;
  });
  try {
    r.optimizer.applyGrads(grads, lr);
  } finally {
    for (const g of Object.values(grads)) g.dispose();
  }
  post({ type: "applied", step });
}

function snapshot(): void {
  const r = need();
  const flat = flatten(r, r.model.params as Record<string, Tensor>);
  post({ type: "snapshot", weights: flat }, [flat.buffer as ArrayBuffer]);
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case "init":
      return init(msg);
    case "compute":
      return compute(msg.batches);
    case "apply":
      return apply(msg.step, msg.lr, msg.grads);
    case "snapshot":
      return snapshot();
    case "close":
      replica?.optimizer.dispose();
      replica?.model.dispose();
      replica = undefined;
      parentPort?.close();
      return;
  }
}

// Messages are handled strictly in order (init is async), so queue them on one promise chain.
let chain: Promise<void> = Promise.resolve();
parentPort?.on("message", (msg: ToWorker) => {
  chain = chain
    .then(() => handle(msg))
    .catch((e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: "error", message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
    });
});

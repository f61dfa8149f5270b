/**
 * `train()`: the training loop as a numbered recipe — set LR → accumulate token-weighted grads over
 * micro-batches → clip → AdamW step → log → maybe eval / early-stop / checkpoint → stop. The same loop
 * is available as an async iterator ({@link trainIterator}) that yields every event.
 */
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { TunixError } from "../errors.js";
import type { RenderTraceOptions } from "../render/index.js";
import { initBackend, type BackendHandle } from "./backend.js";
import {
  cleanCheckpointTemp,
  loadCheckpointArtifact,
  loadLatestCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
  saveCheckpointArtifact,
  type LanguageModel,
} from "./checkpoint.js";
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.js";
import { BatchStream, evalBatches, type DataCursor, type EncodeStats } from "./data.js";
import type { CheckpointEvent, EvalEvent, StepEvent, TrainEvent } from "./events.js";
import { createInProcessGradientSource } from "./gradient-source.js";
import { createWorkerGradientSource } from "./parallel/pool.js";
import { createGPT, evalLoss, resolveGPTConfig, type GPT } from "./model.js";
import { AdamW } from "./optimizer.js";
import { chooseTokenizer, collectPromptCompletions, prepareData, type TrainItem } from "./prepare.js";
import { fastKernelStatus } from "./kernels/self-test.js";
import { buildRunManifest } from "./run-manifest.js";
import { learningRate } from "./schedule.js";
import { tokenizerFromSpec, type Tokenizer } from "./tokenizer.js";
import type { GradientSource, Tensor, TokenBatch } from "./types.js";
import type { TrainingRunManifest } from "../manifest/index.js";
import type { ArtifactStore } from "../storage/index.js";

/** Everything {@link train} needs. Only `train` is required. */
export interface TrainOptions {
  /** Training data: rendered `{prompt, completion}` pairs or reasoning traces (sync or async iterable, e.g. a store query). */
  readonly train: Iterable<TrainItem> | AsyncIterable<TrainItem>;
  /** Validation data for eval loss / early stop. */
  readonly val?: Iterable<TrainItem> | AsyncIterable<TrainItem>;
  /** Config (defaults = the learning recipe: micro model, lr 3e-3, batch 16, warmup 30, cosine to 10 %). */
  readonly config?: TrainConfigInput;
  /**
   * Where the data came from, for the run manifest: a dataset manifest's `dataset_key` and `fingerprint`
   * (and the val split's). Default: the sha256 of the encoded training examples, no key.
   */
  readonly dataset?: { readonly key?: string; readonly fingerprint?: string; readonly evalFingerprint?: string };
  /** Render options for traces (template, style, system instruction). */
  readonly render?: RenderTraceOptions;
  /** Use this tokenizer instead of building one (a resumed run always uses the checkpoint's). */
  readonly tokenizer?: Tokenizer;
  /** An initialised backend (default: `initBackend(config.backend)`). */
  readonly backend?: BackendHandle;
  /** Where gradients come from (default in-process; a worker pool for data parallelism). */
  readonly gradientSource?: GradientSource;
  /** Directory for checkpoints; the run resumes from the newest valid one unless `resume: false`. */
  readonly checkpointDir?: string;
  /** Resume from `checkpointDir` when it holds a checkpoint. Default true. */
  readonly resume?: boolean;
  /** Also (or instead) store every checkpoint in this content-addressed store; events carry its key. */
  readonly artifactStore?: ArtifactStore;
  /** Resume from this checkpoint key in `artifactStore` (takes precedence over `checkpointDir`). */
  readonly resumeFrom?: string;
  /** JSONL file receiving one line per event (rewritten from the checkpoint's history on resume). */
  readonly metricsPath?: string;
  /** Abort: the loop stops before the next step, writing a checkpoint first when `checkpointDir` is set. */
  readonly signal?: AbortSignal;
  /** Called after every optimizer step. */
  readonly onStep?: (event: StepEvent) => void | Promise<void>;
  /** Called after every evaluation. */
  readonly onEval?: (event: EvalEvent) => void | Promise<void>;
  /** Called after every checkpoint. */
  readonly onCheckpoint?: (event: CheckpointEvent) => void | Promise<void>;
}

/** Why the loop ended. */
export type StopReason = "max_steps" | "early_stop" | "aborted";

/** What {@link train} returns. */
export interface TrainResult {
  /** The trained model and its tokenizer (call `result.model.gpt.dispose()` when done). */
  readonly model: LanguageModel;
  /** Optimizer steps completed (including resumed ones). */
  readonly steps: number;
  /** Why it stopped. */
  readonly stopReason: StopReason;
  /** Mean loss of the last step. */
  readonly finalLoss: number | null;
  /** Last and best validation loss (null without val data). */
  readonly valLoss: number | null;
  /** Best validation loss. */
  readonly bestValLoss: number | null;
  /** Encoding stats (kept / truncated / dropped examples). */
  readonly data: { train: EncodeStats; val: EncodeStats | null };
  /** Every step and eval event of the run, in order (resumed runs include the earlier ones). */
  readonly history: TrainEvent[];
  /** Checkpoints written in this session. */
  readonly checkpoints: CheckpointEvent[];
  /** Step at which this session resumed, or null. */
  readonly resumedFrom: number | null;
  /** The run manifest. */
  readonly manifest: TrainingRunManifest;
}

interface LoopState {
  step: number;
  cursor: DataCursor;
  bestValLoss: number | null;
  evalsWithoutImprovement: number;
  elapsedMs: number;
  history: TrainEvent[];
}

/**
 * Trains a model and resolves with the result (see {@link TrainOptions}).
 *
 * @param options - data, config, callbacks.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const it = trainIterator(options);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    const ev = r.value;
    if (ev.type === "step") await options.onStep?.(ev);
    else if (ev.type === "eval") await options.onEval?.(ev);
    else await options.onCheckpoint?.(ev);
  }
}

/**
 * The training loop as an async generator: yields every {@link TrainEvent} and returns the
 * {@link TrainResult}. Callbacks in `options` are not called by this form.
 *
 * @param options - data, config, callbacks.
 */
export async function* trainIterator(options: TrainOptions): AsyncGenerator<TrainEvent, TrainResult, void> {
  const started = Date.now();
  const config = parseTrainConfig(options.config ?? {});
  const handle = options.backend ?? (await initBackend(config.backend));
  // 1. data: render, tokenizer (from the checkpoint when resuming), encode
  const trainPairs = await collectPromptCompletions(options.train, options.render);
  const valPairs = options.val ? await collectPromptCompletions(options.val, options.render) : undefined;
  const ckptDir = options.checkpointDir;
  if (ckptDir) await cleanCheckpointTemp(ckptDir);
  const store = options.artifactStore;
  if (options.resumeFrom !== undefined && !store) {
    throw new TunixError("INVALID_ARGUMENT", "train: resumeFrom needs artifactStore (the store holding that checkpoint key)");
  }
  const ckpt =
    options.resumeFrom !== undefined
      ? await loadCheckpointArtifact(handle.tf, store!, options.resumeFrom)
      : ckptDir && options.resume !== false
        ? await loadLatestCheckpoint(handle.tf, ckptDir)
        : undefined;
  const tokenizer = ckpt ? tokenizerFromSpec(ckpt.meta.tokenizer) : chooseTokenizer(config, trainPairs, options.tokenizer);
  const { preset, attentionImpl, fastPath, ...shape } = config.model;
  const modelConfig = resolveGPTConfig({ preset, ...shape }, tokenizer.vocabSize);
  const data = prepareData(tokenizer, trainPairs, valPairs, config, modelConfig.blockSize);
  // 2. model + optimizer, restored exactly when resuming
  if (ckpt) {
    try {
      checkResumable({ ...ckpt.meta.model }, { ...modelConfig }, ckpt.meta.trainer, data.trainFingerprint, ckpt.path);
    } catch (e) {
      handle.tf.dispose(Object.values(ckpt.tensors));
      throw e;
    }
  }
  const model = createGPT(handle, modelConfig, { seed: config.seed, attentionImpl, fastPath });
  const optimizer = new AdamW(model, config.optimizer);
  const state: LoopState = { step: 0, cursor: { epoch: 0, batch: 0 }, bestValLoss: null, evalsWithoutImprovement: 0, elapsedMs: 0, history: [] };
  if (ckpt) {
    try {
      restoreCheckpoint(ckpt, model, optimizer); // disposes the checkpoint tensors
    } catch (e) {
      optimizer.dispose();
      model.dispose();
      throw e;
    }
    Object.assign(state, ckpt.meta.trainer["state"] as LoopState);
  }
  const resumedFrom = ckpt ? state.step : null;
  if (options.metricsPath) {
    await mkdir(dirname(options.metricsPath), { recursive: true });
    await writeFile(options.metricsPath, state.history.map((e) => JSON.stringify(e) + "\n").join(""));
  }
  const stream = new BatchStream(data.train, {
    batching: config.data.batching,
    batchSize: config.data.batchSize,
    blockSize: modelConfig.blockSize,
    seed: config.seed,
    cursor: state.cursor,
  });
  const valBatches = evalBatches(data.val, { batchSize: config.eval.batchSize, blockSize: modelConfig.blockSize });
  const source = options.gradientSource ?? defaultGradientSource(config.workers, handle.backend);
  await source.init({ model, optimizer });
  const sessionStart = Date.now() - state.elapsedMs;
  const elapsed = (): number => (Date.now() - sessionStart) / 1000;
  const schedule = {
    lr: config.optimizer.lr,
    warmupSteps: config.schedule.warmupSteps,
    decaySteps: config.schedule.decaySteps ?? config.schedule.maxSteps,
    minLrRatio: config.schedule.minLrRatio,
  };
  const checkpoints: CheckpointEvent[] = [];
  const record = async (ev: TrainEvent): Promise<void> => {
    state.history.push(ev);
    if (options.metricsPath) await appendFile(options.metricsPath, JSON.stringify(ev) + "\n");
  };
  const checkpoint = async (): Promise<CheckpointEvent> => {
    state.elapsedMs = Date.now() - sessionStart;
    const trainer = { state, config, dataFingerprint: data.trainFingerprint } as unknown as Record<string, unknown>;
    const parts = { model, optimizer, tokenizer, trainer, step: state.step };
    const inDir = ckptDir ? await saveCheckpoint(ckptDir, { ...parts, keep: config.checkpoint.keep }) : undefined;
    const inStore = store ? await saveCheckpointArtifact(store, parts) : undefined;
    const ev: CheckpointEvent = {
      type: "checkpoint",
      step: state.step,
      path: inDir?.path ?? inStore!.key,
      weights_sha256: (inDir ?? inStore)!.weightsSha256,
      ...(inStore ? { artifact_key: inStore.key } : {}),
    };
    checkpoints.push(ev);
    return ev;
  };
  let stopReason: StopReason = "max_steps";
  let lastEvalStep = -1;
  let lastCkptStep = resumedFrom ?? -1;
  let finalLoss: number | null = null;
  let valLoss: number | null = null;
  let finished = false;
  try {
    while (state.step < config.schedule.maxSteps) {
      if (options.signal?.aborted) {
        stopReason = "aborted";
        break;
      }
      // 3. learning rate for this step
      const step = state.step + 1;
      const lr = learningRate(schedule, step);
      // 4. gradients: token-weighted sum over micro-batches, then divided by the token count
      const t0 = Date.now();
      const epoch = stream.cursor.epoch;
      const micro: TokenBatch[] = [];
      for (let i = 0; i < config.data.gradAccumSteps; i++) micro.push(stream.next());
      const res = await source.compute(micro, step);
      const mean: Record<string, Tensor> = {};
      for (const [name, g] of Object.entries(res.grads)) {
        mean[name] = handle.tf.div(g, res.tokens);
        g.dispose();
      }
      // 5. clip + AdamW, then let replicas apply the identical update
      const info = optimizer.applyGrads(mean, lr);
      await source.afterStep({ step, lr, grads: mean });
      for (const g of Object.values(mean)) g.dispose();
      state.step = step;
      state.cursor = stream.cursor;
      // 6. log
      const slots = micro.reduce((s, b) => s + b.batchSize * b.seqLen, 0);
      const dt = Math.max(1, Date.now() - t0) / 1000;
      finalLoss = res.loss / res.tokens;
      const ev: StepEvent = {
        type: "step",
        step,
        loss: finalLoss,
        lr,
        grad_norm: info.gradNorm,
        tokens: res.tokens,
        token_slots: slots,
        tokens_per_s: slots / dt,
        elapsed_s: elapsed(),
        epoch,
      };
      await record(ev);
      yield ev;
      // 7. eval + early stop
      const isLast = step === config.schedule.maxSteps;
      if (valBatches.length > 0 && ((config.eval.everySteps > 0 && step % config.eval.everySteps === 0) || isLast)) {
        const evalEv = runEval(model, valBatches, state, config, step, elapsed());
        valLoss = evalEv.val_loss;
        lastEvalStep = step;
        await record(evalEv);
        yield evalEv;
        const patience = config.eval.earlyStopPatience;
        if (patience > 0 && state.evalsWithoutImprovement >= patience) stopReason = "early_stop";
      }
      // 8. periodic checkpoint
      if ((ckptDir || store) && config.checkpoint.everySteps > 0 && step % config.checkpoint.everySteps === 0) {
        const c = await checkpoint();
        lastCkptStep = step;
        yield c;
      }
      if (stopReason === "early_stop") break;
    }
    // 9. final eval and checkpoint
    if (valBatches.length > 0 && lastEvalStep !== state.step && stopReason !== "aborted") {
      const evalEv = runEval(model, valBatches, state, config, state.step, elapsed());
      valLoss = evalEv.val_loss;
      await record(evalEv);
      yield evalEv;
    }
    if ((ckptDir || store) && lastCkptStep !== state.step) yield await checkpoint();
    finished = true;
  } finally {
    // An error, or a consumer that stopped iterating early (return()), gets no model back: free it.
    if (!finished) model.dispose();
    optimizer.dispose();
    await source.close();
  }
  if (finalLoss === null) {
    const last = [...state.history].reverse().find((e): e is StepEvent => e.type === "step");
    finalLoss = last?.loss ?? null;
  }
  const manifest = buildRunManifest({
    config,
    modelConfig,
    tokenizer,
    render: options.render,
    data,
    dataset: options.dataset,
    state,
    stopReason,
    finalLoss,
    valLoss,
    checkpoints,
    backend: handle.backend,
    kernels: handle.backend === "wasm" ? kernelsLabel() : "stock",
    gradientSource: source.kind,
    replicas: source.replicas,
    startedAt: started,
    wallTimeS: (Date.now() - started) / 1000,
  });
  return {
    model: { gpt: model, tokenizer },
    steps: state.step,
    stopReason,
    finalLoss,
    valLoss,
    bestValLoss: state.bestValLoss,
    data: data.stats,
    history: state.history,
    checkpoints,
    resumedFrom,
    manifest,
  };
}

function runEval(model: GPT, batches: readonly TokenBatch[], state: LoopState, config: TrainConfig, step: number, elapsedS: number): EvalEvent {
  let sum = 0;
  let tokens = 0;
  for (const b of batches) {
    const r = evalLoss(model, b);
    sum += r.loss;
    tokens += r.tokens;
  }
  const loss = sum / tokens;
  if (state.bestValLoss === null || loss < state.bestValLoss - config.eval.earlyStopMinDelta) {
    state.bestValLoss = loss;
    state.evalsWithoutImprovement = 0;
  } else state.evalsWithoutImprovement += 1;
  return { type: "eval", step, val_loss: loss, val_tokens: tokens, best_val_loss: state.bestValLoss, elapsed_s: elapsedS };
}

function checkResumable(
  saved: Record<string, unknown>,
  current: Record<string, unknown>,
  trainer: Record<string, unknown>,
  fingerprint: string,
  path: string,
): void {
  for (const key of ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"]) {
    if (saved[key] !== current[key]) {
      throw new TunixError("CHECKPOINT_INCOMPATIBLE", `checkpoint ${path}: model.${key} is ${String(saved[key])}, config says ${String(current[key])}`);
    }
  }
  if (trainer["dataFingerprint"] !== fingerprint) {
    throw new TunixError("CHECKPOINT_INCOMPATIBLE", `checkpoint ${path}: training data differs from the data it was trained on (fingerprint mismatch)`);
  }
  if (typeof trainer["state"] !== "object" || trainer["state"] === null) {
    throw new TunixError("CHECKPOINT_CORRUPT", `checkpoint ${path}: missing trainer state`);
  }
}

/** Which kernels computed the run (determinism holds for one label): "native-avx512", "xnnpack" or "stock". */
function kernelsLabel(): string {
  const s = fastKernelStatus();
  if (!s.enabled) return "stock";
  return s.native !== "" ? `native-${s.native}` : "xnnpack";
}

/**
 * The gradient source for `config.workers`: in-process for one replica, else a worker pool. "auto" means
 * one replica per core on wasm (single-threaded per instance) and in-process on the other backends.
 */
function defaultGradientSource(workers: TrainConfig["workers"], backend: string): GradientSource {
  const n = workers === "auto" ? (backend === "wasm" ? availableParallelism() : 1) : workers;
  return n > 1 ? createWorkerGradientSource({ workers: n }) : createInProcessGradientSource();
}

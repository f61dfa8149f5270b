/**
 * `tunix-rt/train`: the TensorFlow.js SFT trainer — backend selection, a nanoGPT-style GPT, AdamW, the
 * training loop and generation. Loads `@tensorflow/tfjs` (and optionally `@tensorflow/tfjs-node`), so it
 * is a separate entry point from the light root.
 *
 * @module
 */
export { initBackend, type BackendHandle, type BackendPreference, type InitBackendOptions } from "./backend.js";
export {
  registerAttention,
  resolveAttention,
  listAttention,
  defaultAttention,
  type AttentionFn,
  type AttentionInputs,
} from "./attention.js";
export { linear, layerNorm, gelu, weightedCrossEntropySum } from "./layers.js";
export { attentionBias, MASKED } from "./mask.js";
export {
  GPT_PRESETS,
  resolveGPTConfig,
  parameterShapes,
  createGPT,
  transformer,
  headLogits,
  lossAndGrads,
  evalLoss,
  type GPT,
  type GPTConfig,
  type GPTPreset,
  type GPTRuntimeOptions,
  type LayerKV,
} from "./model.js";
export { AdamW, isDecayed, type AdamWOptions, type AdamWState, type UpdateInfo } from "./optimizer.js";
export { createInProcessGradientSource, sumLossAndGrads } from "./gradient-source.js";
export { registerUnsortedSegmentSum } from "./kernels/unsorted-segment-sum.js";
export {
  installFastKernels,
  fastKernelStatus,
  setFastKernelsEnabled,
  type FastKernelStatus,
} from "./kernels/self-test.js";
export { fastMatMul } from "./kernels/fast-matmul.js";
export { xnnAttention, registerXnnAttention } from "./kernels/xnn-attention.js";
export {
  createWorkerGradientSource,
  type WorkerPoolOptions,
  type WorkerGradientSource,
} from "./parallel/pool.js";
export {
  Tokenizer,
  SPECIAL_TOKENS,
  SPECIAL_IDS,
  BYTE_OFFSET,
  createByteTokenizer,
  trainBpeTokenizer,
  tokenizerFromSpec,
  type SpecialToken,
  type TokenizerSpec,
  type TrainBpeOptions,
} from "./tokenizer.js";
export {
  encodeExamples,
  planEpoch,
  buildBatch,
  evalBatches,
  BatchStream,
  type EncodedExample,
  type EncodeStats,
  type TruncationPolicy,
  type Batching,
  type RowPlan,
  type DataCursor,
} from "./data.js";
export { learningRate, type LrSchedule } from "./schedule.js";
export { TrainConfigSchema, parseTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.js";
export {
  CHECKPOINT_FORMAT,
  saveCheckpoint,
  encodeCheckpoint,
  saveCheckpointArtifact,
  loadCheckpointArtifact,
  loadCheckpoint,
  loadLatestCheckpoint,
  listCheckpoints,
  cleanCheckpointTemp,
  restoreCheckpoint,
  loadModel,
  type CheckpointMeta,
  type CheckpointParts,
  type LoadedCheckpoint,
  type LanguageModel,
} from "./checkpoint.js";
export {
  toPromptCompletions,
  collectPromptCompletions,
  chooseTokenizer,
  prepareData,
  fingerprintExamples,
  type TrainItem,
  type PreparedData,
} from "./prepare.js";
export type { StepEvent, EvalEvent, CheckpointEvent, TrainEvent } from "./events.js";
export { train, trainIterator, type TrainOptions, type TrainResult, type StopReason } from "./loop.js";
export { buildRunManifest, type RunManifestParts } from "./run-manifest.js";
export { generate, type GenerateOptions, type Generation } from "./sample.js";
export { createGenerateFn, renderGenerationPrompt, type GenerateFnOptions } from "./generate-fn.js";
export type {
  Tf,
  Tensor,
  Variable,
  BackendName,
  TokenBatch,
  LossAndGrads,
  AppliedUpdate,
  GradientSource,
  GradientSourceContext,
} from "./types.js";

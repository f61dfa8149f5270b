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

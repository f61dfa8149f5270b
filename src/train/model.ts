/**
 * A GPT-style decoder, read top to bottom like nanoGPT's model.py: token + learned position embeddings,
 * `nLayer` pre-LayerNorm blocks (causal multi-head attention with separate q/k/v projections, GELU MLP),
 * a final LayerNorm and an output head tied to the token embedding.
 *
 * Parameter names follow GPT-2/nanoGPT (`wte`, `wpe`, `h.0.ln_1.weight`, `h.0.attn.c_q.weight`, …,
 * `ln_f.bias`); weights are stored `[in, out]` (tfjs layout).
 */
import { TunixError } from "../errors.js";
import { sha256Hex } from "../internal/hash.js";
import { resolveAttention } from "./attention.js";
import type { BackendHandle } from "./backend.js";
import { gelu, layerNorm, linear, tiedHead, weightedCrossEntropySum } from "./layers.js";
import { attentionBias } from "./mask.js";
import type { BackendName, LossAndGrads, Tensor, Tf, TokenBatch, Variable } from "./types.js";

/** The shape-defining model configuration (nanoGPT's nouns, camelCased). */
export interface GPTConfig {
  /** Vocabulary size (the tokenizer's). */
  readonly vocabSize: number;
  /** Maximum sequence length (learned positions). */
  readonly blockSize: number;
  /** Number of transformer blocks. */
  readonly nLayer: number;
  /** Attention heads per block; must divide `nEmbd`. */
  readonly nHead: number;
  /** Width of the residual stream. */
  readonly nEmbd: number;
  /** LayerNorm epsilon. */
  readonly lnEps: number;
}

/** Runtime choices that do not change the parameters. */
export interface GPTRuntimeOptions {
  /** Registered attention implementation (see `registerAttention`). Default `"default"`. */
  readonly attentionImpl?: string;
  /** Custom-gradient explicit-transpose layers; `"auto"` = on for wasm only (5× there, slower on cpu). */
  readonly fastPath?: "auto" | "on" | "off";
}

/** Size presets. `micro` is the learning-recipe / bench "small" shape; `small` is the bench "medium" one. */
export const GPT_PRESETS = {
  /** ~0.1 M params: tests and toy tasks. */
  nano: { nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 128 },
  /** ~0.46 M params (byte vocab): D128 L2 H4, what learns 2/3-digit arithmetic on 2 cores. */
  micro: { nLayer: 2, nHead: 4, nEmbd: 128, blockSize: 256 },
  /** ~3.2 M params: D256 L4 H8. */
  small: { nLayer: 4, nHead: 8, nEmbd: 256, blockSize: 256 },
} as const;

/** A preset name. */
export type GPTPreset = keyof typeof GPT_PRESETS;

/** A model: its config, the tfjs namespace and backend it lives on, and its named parameters. */
export interface GPT {
  /** Shape-defining configuration. */
  readonly config: GPTConfig;
  /** The tfjs namespace the parameters live in. */
  readonly tf: Tf;
  /** Backend name (determinism holds within one backend). */
  readonly backend: BackendName;
  /** Parameters by GPT-2 name. */
  readonly params: Readonly<Record<string, Variable>>;
  /** Parameter names in canonical (creation) order; checkpoints and gradient sums follow it. */
  readonly paramNames: readonly string[];
  /** Attention implementation name in use. */
  readonly attentionImpl: string;
  /** Whether the custom-gradient layers are in use. */
  readonly fast: boolean;
  /** Frees every parameter. */
  dispose(): void;
}

let modelCounter = 0;

/**
 * Validates and completes a config: a preset name or partial config plus the vocabulary size.
 *
 * @param config - preset name or explicit fields (explicit fields override the preset's).
 * @param vocabSize - the tokenizer's vocabulary size.
 */
export function resolveGPTConfig(
  config: GPTPreset | (Partial<GPTConfig> & { preset?: GPTPreset }),
  vocabSize: number,
): GPTConfig {
  const spec = typeof config === "string" ? { preset: config } : config;
  const preset = spec.preset ?? "nano";
  if (!(preset in GPT_PRESETS)) {
    throw new TunixError("TRAIN_CONFIG_INVALID", `model.preset: unknown preset ${JSON.stringify(preset)} (nano | micro | small)`);
  }
  const out: GPTConfig = { ...GPT_PRESETS[preset], lnEps: 1e-5, vocabSize, ...stripPreset(spec) };
  for (const key of ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"] as const) {
    if (!Number.isInteger(out[key]) || out[key] < 1) {
      throw new TunixError("TRAIN_CONFIG_INVALID", `model.${key}: expected a positive integer, got ${String(out[key])}`);
    }
  }
  if (out.nEmbd % out.nHead !== 0) {
    throw new TunixError("TRAIN_CONFIG_INVALID", `model.nHead: ${out.nHead} does not divide nEmbd ${out.nEmbd}`);
  }
  return out;
}

function stripPreset(spec: Partial<GPTConfig> & { preset?: GPTPreset }): Partial<GPTConfig> {
  const { preset: _preset, ...rest } = spec;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}

/** Parameter names and shapes in canonical order. */
export function parameterShapes(config: GPTConfig): Array<[string, number[]]> {
  const { vocabSize: V, blockSize: T, nLayer: L, nEmbd: C } = config;
  const out: Array<[string, number[]]> = [["wte", [V, C]], ["wpe", [T, C]]];
  for (let l = 0; l < L; l++) {
    const p = `h.${l}`;
    out.push([`${p}.ln_1.weight`, [C]], [`${p}.ln_1.bias`, [C]]);
    for (const m of ["c_q", "c_k", "c_v", "c_proj"]) out.push([`${p}.attn.${m}.weight`, [C, C]], [`${p}.attn.${m}.bias`, [C]]);
    out.push([`${p}.ln_2.weight`, [C]], [`${p}.ln_2.bias`, [C]]);
    out.push([`${p}.mlp.c_fc.weight`, [C, 4 * C]], [`${p}.mlp.c_fc.bias`, [4 * C]]);
    out.push([`${p}.mlp.c_proj.weight`, [4 * C, C]], [`${p}.mlp.c_proj.bias`, [C]]);
  }
  out.push(["ln_f.weight", [C]], ["ln_f.bias", [C]]);
  return out;
}

/** Deterministic 31-bit seed for one parameter's initializer. */
function paramSeed(seed: number | string, name: string): number {
  return parseInt(sha256Hex(`${String(seed)}:${name}`).slice(0, 8), 16) & 0x7fffffff;
}

/**
 * Builds a model with GPT-2 initialisation: N(0, 0.02) weights and embeddings, residual projections
 * (`c_proj`) scaled by 1/√(2·nLayer), zero biases, unit LayerNorm gains. Same seed ⇒ same weights on
 * every backend (the random numbers are generated in JS).
 *
 * @param handle - from `initBackend()`.
 * @param config - a resolved config ({@link resolveGPTConfig}).
 * @param options - `seed` (default 0) plus {@link GPTRuntimeOptions}.
 */
export function createGPT(
  handle: BackendHandle,
  config: GPTConfig,
  options: GPTRuntimeOptions & { seed?: number | string } = {},
): GPT {
  const { tf, backend } = handle;
  const attentionImpl = options.attentionImpl ?? "default";
  resolveAttention(attentionImpl);
  const fastPath = options.fastPath ?? "auto";
  const fast = fastPath === "on" || (fastPath === "auto" && backend === "wasm");
  const seed = options.seed ?? 0;
  const uid = `tunix_gpt${++modelCounter}`;
  const params: Record<string, Variable> = {};
  const names: string[] = [];
  for (const [name, shape] of parameterShapes(config)) {
    const init = tf.tidy(() => {
      if (name.endsWith(".bias")) return tf.zeros(shape);
      if (/ln_\d\.weight$|ln_f\.weight$/.test(name)) return tf.ones(shape);
      const std = name.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(2 * config.nLayer) : 0.02;
      return tf.randomNormal(shape, 0, std, "float32", paramSeed(seed, name));
    });
    params[name] = tf.variable(init, true, `${uid}/${name}`);
    init.dispose();
    names.push(name);
  }
  return {
    config,
    tf,
    backend,
    params,
    paramNames: names,
    attentionImpl,
    fast,
    dispose: () => {
      for (const v of Object.values(params)) v.dispose();
    },
  };
}

/** Keys and values of one layer, `[B, t, C]`, for the KV cache. */
export interface LayerKV {
  /** Keys `[B, t, C]`. */
  readonly k: Tensor;
  /** Values `[B, t, C]`. */
  readonly v: Tensor;
}

/**
 * Runs the transformer on `B×Tq` new tokens and returns the final hidden states `[B·Tq, C]` (after
 * `ln_f`) plus each layer's full keys/values (past ++ new) for a KV cache.
 *
 * @param model - the model.
 * @param ids - int32 token ids `[B·Tq]`.
 * @param positions - int32 positions `[B·Tq]`.
 * @param B - batch rows.
 * @param Tq - new tokens per row.
 * @param bias - additive attention mask `[B or 1, Tq, Tk]`.
 * @param causalOnly - whether `bias` is the plain causal mask.
 * @param past - per-layer cached keys/values, or undefined.
 */
export function transformer(
  model: GPT,
  ids: Tensor,
  positions: Tensor,
  B: number,
  Tq: number,
  bias: Tensor,
  causalOnly: boolean,
  past?: readonly LayerKV[],
): { hidden: Tensor; present: LayerKV[] } {
  const { tf, params: P, fast, config } = model;
  const C = config.nEmbd;
  const attend = resolveAttention(model.attentionImpl);
  // 1. embeddings: token + learned position (tf.gather; its gradient needs UnsortedSegmentSum on wasm)
  let x = tf.add(tf.gather(P["wte"]!, ids), tf.gather(P["wpe"]!, positions)); // [N, C]
  const present: LayerKV[] = [];
  for (let l = 0; l < config.nLayer; l++) {
    const p = (n: string): Tensor => P[`h.${l}.${n}`]!;
    // 2. attention sub-block: x + proj(attn(ln_1(x)))
    const a = layerNorm(tf, x, p("ln_1.weight"), p("ln_1.bias"), config.lnEps, fast);
    // separate q/k/v linears: a fused [C,3C] + 5-D transpose + unstack cost more on wasm (334 vs 357 ms)
    const q = tf.reshape(linear(tf, a, p("attn.c_q.weight"), p("attn.c_q.bias"), fast), [B, Tq, C]);
    let k = tf.reshape(linear(tf, a, p("attn.c_k.weight"), p("attn.c_k.bias"), fast), [B, Tq, C]);
    let v = tf.reshape(linear(tf, a, p("attn.c_v.weight"), p("attn.c_v.bias"), fast), [B, Tq, C]);
    const cached = past?.[l];
    if (cached) {
      k = tf.concat([cached.k, k], 1); // [B, t+Tq, C]
      v = tf.concat([cached.v, v], 1);
    }
    present.push({ k, v });
    const y = tf.reshape(attend({ tf, q, k, v, nHead: config.nHead, bias, causalOnly }), [B * Tq, C]);
    x = tf.add(x, linear(tf, y, p("attn.c_proj.weight"), p("attn.c_proj.bias"), fast));
    // 3. MLP sub-block: x + proj(gelu(fc(ln_2(x))))
    const m = layerNorm(tf, x, p("ln_2.weight"), p("ln_2.bias"), config.lnEps, fast);
    const h = gelu(tf, linear(tf, m, p("mlp.c_fc.weight"), p("mlp.c_fc.bias"), fast));
    x = tf.add(x, linear(tf, h, p("mlp.c_proj.weight"), p("mlp.c_proj.bias"), fast));
  }
  // 4. final LayerNorm
  return { hidden: layerNorm(tf, x, P["ln_f.weight"]!, P["ln_f.bias"]!, config.lnEps, fast), present };
}

/**
 * Logits `[N, V]` from hidden states through the tied head (`h @ wteᵀ`).
 *
 * @param model - the model.
 * @param hidden - `[N, C]`.
 */
export function headLogits(model: GPT, hidden: Tensor): Tensor {
  return tiedHead(model.tf, hidden, model.params["wte"]!, model.fast);
}

function checkBatch(model: GPT, batch: TokenBatch): void {
  const n = batch.batchSize * batch.seqLen;
  if (batch.seqLen > model.config.blockSize) {
    throw new TunixError("INVALID_ARGUMENT", `batch.seqLen ${batch.seqLen} exceeds model blockSize ${model.config.blockSize}`);
  }
  for (const key of ["inputs", "targets", "weights", "positions", "segments"] as const) {
    if (batch[key].length !== n) {
      throw new TunixError("INVALID_ARGUMENT", `batch.${key}: expected ${n} entries (batchSize·seqLen), got ${batch[key].length}`);
    }
  }
}

/** Summed weighted loss of a batch as a scalar tensor (builds the graph; call inside tidy/grad). */
function lossTensor(model: GPT, batch: TokenBatch): Tensor {
  const { tf } = model;
  const { batchSize: B, seqLen: T } = batch;
  const ids = tf.tensor1d(batch.inputs, "int32");
  const pos = tf.tensor1d(batch.positions, "int32");
  const bias = attentionBias(tf, batch);
  const { hidden } = transformer(model, ids, pos, B, T, bias, batch.causalOnly);
  const logits = headLogits(model, hidden);
  return weightedCrossEntropySum(tf, logits, tf.tensor1d(batch.targets, "int32"), tf.tensor1d(batch.weights, "float32"));
}

function tokenCount(batch: TokenBatch): number {
  let n = 0;
  for (let i = 0; i < batch.weights.length; i++) n += batch.weights[i]!;
  return n;
}

/**
 * Forward + backward on one batch: the token-weighted loss SUM over supervised tokens, the gradient of
 * that sum for every parameter, and the supervised token count. Pure: does not change the model.
 * The caller owns (disposes) the returned grads.
 *
 * @param model - the model.
 * @param batch - one micro-batch.
 */
export function lossAndGrads(model: GPT, batch: TokenBatch): LossAndGrads {
  checkBatch(model, batch);
  const { tf } = model;
  const vars = model.paramNames.map((n) => model.params[n]!);
  const { value, grads } = tf.tidy(() => tf.variableGrads(() => lossTensor(model, batch) as never, vars));
  const loss = value.dataSync()[0]!;
  value.dispose();
  const byName: Record<string, Tensor> = {};
  for (const name of model.paramNames) {
    const g = grads[model.params[name]!.name];
    if (!g) throw new TunixError("BACKEND_ERROR", `lossAndGrads: no gradient for parameter ${name}`);
    byName[name] = g;
  }
  return { loss, grads: byName, tokens: tokenCount(batch) };
}

/**
 * Forward only: the token-weighted loss SUM and supervised token count (for eval).
 *
 * @param model - the model.
 * @param batch - one batch.
 */
export function evalLoss(model: GPT, batch: TokenBatch): { loss: number; tokens: number } {
  checkBatch(model, batch);
  const t = model.tf.tidy(() => lossTensor(model, batch));
  const loss = t.dataSync()[0]!;
  t.dispose();
  return { loss, tokens: tokenCount(batch) };
}

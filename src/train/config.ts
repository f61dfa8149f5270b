/**
 * Every training knob, with its default and why (nanoGPT's config block). Defaults are the
 * learning-recipe that taught a D128 L2 H4 model 2/3-digit arithmetic on 2 cores
 * (notes/learning-recipe.md): lr 3e-3, batch 16, warmup 30, cosine to 10 %, β2 0.95, wd 0.1, clip 1.
 */
import { z } from "zod";
import { TunixError } from "../errors.js";

const posInt = z.number().int().positive();

/** The full training configuration (TS options: camelCase). */
export const TrainConfigSchema = z.strictObject({
  // --- model -----------------------------------------------------------------------------------------
  model: z
    .strictObject({
      /** Size preset; explicit fields override it. micro = D128 L2 H4 (learns arithmetic fastest per second). */
      preset: z.enum(["nano", "micro", "small"]).default("micro"),
      nLayer: posInt.optional(),
      nHead: posInt.optional(),
      nEmbd: posInt.optional(),
      /** Max tokens per sequence; examples are truncated to blockSize + 1 (inputs + shifted targets). */
      blockSize: posInt.optional(),
      /**
       * Registered attention implementation. "xnn" (default): per-(batch·head) XNNPACK products with a
       * hand-written backward on wasm (+20–60 % tokens/s, same loss to 1e-6); elsewhere it is "default".
       */
      attentionImpl: z.string().default("xnn"),
      /** Custom-gradient layers: "auto" = on for wasm (5× there), off elsewhere (slower on cpu). */
      fastPath: z.enum(["auto", "on", "off"]).default("auto"),
    })
    .prefault({}),
  // --- tokenizer -------------------------------------------------------------------------------------
  tokenizer: z
    .strictObject({
      /** "bpe": learn merges on the training text (shorter sequences = cheaper steps); "byte": 261 ids. */
      type: z.enum(["byte", "bpe"]).default("byte"),
      /** BPE vocabulary size including the 5 specials and 256 bytes. */
      vocabSize: z.number().int().min(261).max(65535).default(512),
    })
    .prefault({}),
  // --- optimizer -------------------------------------------------------------------------------------
  optimizer: z
    .strictObject({
      /** Peak learning rate; 3e-3 suits tiny models (1e-2 learns later, recipe table). */
      lr: z.number().positive().default(3e-3),
      beta1: z.number().min(0).lt(1).default(0.9),
      /** 0.95 as nanoGPT: adapts faster with small batches. */
      beta2: z.number().min(0).lt(1).default(0.95),
      eps: z.number().positive().default(1e-8),
      /** Decoupled decay on projection matrices only (not biases, LayerNorm, embeddings). */
      weightDecay: z.number().min(0).default(0.1),
      /** Global-norm clip; 0 disables. */
      clipNorm: z.number().min(0).default(1.0),
    })
    .prefault({}),
  // --- schedule --------------------------------------------------------------------------------------
  schedule: z
    .strictObject({
      /** Optimizer steps to run (the run's length). */
      maxSteps: posInt.default(1000),
      /** Linear warmup steps. */
      warmupSteps: z.number().int().min(0).default(30),
      /** Cosine floor as a fraction of lr. */
      minLrRatio: z.number().min(0).max(1).default(0.1),
      /** Cosine length; default = maxSteps. */
      decaySteps: posInt.optional(),
    })
    .prefault({}),
  // --- data ------------------------------------------------------------------------------------------
  data: z
    .strictObject({
      /** Rows per micro-batch (examples when padding). */
      batchSize: posInt.default(16),
      /** Micro-batches per optimizer step; loss/grads are token-weighted so this equals a bigger batch. */
      gradAccumSteps: posInt.default(1),
      /** "pad" (length-bucketed) or "pack" (block-diagonal mask); see bench/README for the measurement. */
      batching: z.enum(["pad", "pack"]).default("pad"),
      /** How over-long examples are cut ("right" drops the end; "left" drops prompt text after <bos>). */
      truncation: z.enum(["right", "left", "drop"]).default("right"),
    })
    .prefault({}),
  // --- eval ------------------------------------------------------------------------------------------
  eval: z
    .strictObject({
      /** Eval loss on the val split every N steps (0 = only at the end). */
      everySteps: z.number().int().min(0).default(100),
      /** Rows per eval batch. */
      batchSize: posInt.default(32),
      /** Stop after this many evals without improvement by minDelta (0 = never). */
      earlyStopPatience: z.number().int().min(0).default(0),
      earlyStopMinDelta: z.number().min(0).default(0),
    })
    .prefault({}),
  // --- checkpoint ------------------------------------------------------------------------------------
  checkpoint: z
    .strictObject({
      /** Write a checkpoint every N steps (0 = only at the end / on abort). */
      everySteps: z.number().int().min(0).default(0),
      /** Keep the newest N checkpoints. */
      keep: posInt.default(2),
    })
    .prefault({}),
  // --- system ----------------------------------------------------------------------------------------
  /** Seeds init, data order and sampling. Same seed + backend + workers ⇒ bit-identical run. */
  seed: z.union([z.number().int(), z.string()]).default(0),
  /** tfjs backend; "auto" = tfjs-node if installed, else wasm, else cpu. */
  backend: z.enum(["auto", "node", "wasm", "cpu"]).default("auto"),
  /**
   * Data-parallel replicas (worker_threads, each with its own wasm instance). "auto" = one per core on
   * the wasm backend (wasm runs one thread per instance; measured 1.3–1.9× with 2), 1 elsewhere
   * (tfjs-node is multi-threaded itself). Ignored when `train({gradientSource})` is given.
   */
  workers: z.union([z.literal("auto"), z.number().int().min(1).max(64)]).default("auto"),
});

/** Validated training configuration. */
export type TrainConfig = z.infer<typeof TrainConfigSchema>;
/** Training configuration as written by a user (everything optional). */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/**
 * Validates a training config and fills defaults; throws `TRAIN_CONFIG_INVALID` with one issue per bad
 * field.
 *
 * @param input - partial config.
 */
export function parseTrainConfig(input: unknown = {}): TrainConfig {
  const r = TrainConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    throw new TunixError("TRAIN_CONFIG_INVALID", "Invalid training config", {
      issues: r.error.issues.map((i) => ({ code: i.code, path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message })),
    });
  }
  return r.data;
}

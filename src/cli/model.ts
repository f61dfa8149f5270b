import type { GenerateBatchFn } from "../eval/index.js";
import type { CommandContext } from "./context.js";

/** A loaded model as the CLI uses it: a batch generator for `evaluate`, its identity, and cleanup. */
export interface LoadedGenerator {
  /** Greedy generation for a batch of eval prompts. */
  generateBatch: GenerateBatchFn;
  /** Identity recorded in reports. */
  model: { name?: string; hash?: string };
  /** Frees the model's tensors. */
  dispose(): void;
}

/** The trainer entry, imported lazily: it loads tfjs, which commands without a model never need. */
export async function trainModule(): Promise<typeof import("../train/index.js")> {
  return import("../train/index.js");
}

/** Options of {@link generatorFor}. */
export interface GeneratorOptions {
  /** Generation budget per answer. */
  maxNewTokens: number;
  /** Prompts generated together. */
  batchSize?: number;
}

/**
 * Wraps a language model as a greedy batch generator. Prompts are rendered as in training (Gemma chat
 * template + generation prompt); a response that stopped at `<end_of_turn>` keeps that marker so the
 * format scorer can check the model learned to stop.
 */
export async function generatorFor(
  lm: import("../train/index.js").LanguageModel,
  name: string,
  options: GeneratorOptions,
): Promise<LoadedGenerator> {
  const t = await trainModule();
  return {
    model: { name },
    generateBatch: async (prompts) => {
      const gens = await t.generate(lm, prompts.map((p) => t.renderGenerationPrompt(p)), { maxNewTokens: options.maxNewTokens });
      return gens.map((g) => (g.stopReason === "end_of_turn" ? `${g.text}<end_of_turn>` : g.text));
    },
    dispose: () => lm.gpt.dispose(),
  };
}

/** Loads a checkpoint (a `step-*` directory or a checkpoint root) for generation. */
export async function loadGenerator(ctx: CommandContext, dir: string, options: GeneratorOptions): Promise<LoadedGenerator> {
  const t = await trainModule();
  const handle = await t.initBackend("auto");
  ctx.out.note(`backend: ${handle.backend}`);
  const lm = await t.loadModel(handle, dir);
  return generatorFor(lm, `checkpoint:${dir}`, options);
}

import { TunixError } from "../errors.js";
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

/** Loads a checkpoint for generation (through `tunix-rt/train`, imported lazily: it loads tfjs). */
export async function loadGenerator(_ctx: CommandContext, dir: string, _options: { maxNewTokens: number }): Promise<LoadedGenerator> {
  throw new TunixError("NOT_FOUND", `cannot load ${dir}: the trainer's generation API is not available in this build`);
}

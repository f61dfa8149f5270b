/**
 * Padding vs packing on the demo's data (2/3-digit compact arithmetic traces rendered as Gemma turns):
 * supervised tokens per second and examples per second of the library's own train(), micro model
 * (D128 L2 H4), batch 16, one process. Usage: `npx tsx bench/train-batching.ts [--steps N] [--tokenizer byte|bpe]`.
 * Prints one JSON line per configuration.
 */
import { ARITHMETIC_TRAINING_MIX, generateTraces } from "../src/generate/index.js";
import { initBackend } from "../src/train/backend.js";
import { train } from "../src/train/loop.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const steps = Number(arg("steps", "30"));
const tokenizerType = arg("tokenizer", "byte") as "byte" | "bpe";
const blockSize = Number(arg("block", "256"));
const traces = [...generateTraces({ mix: [...ARITHMETIC_TRAINING_MIX], count: 2000, seed: 1 })];
const backend = await initBackend("wasm");
for (const batching of ["pad", "pack"] as const) {
  let supervised = 0;
  let slots = 0;
  let ms = 0;
  let examples = 0;
  const r = await train({
    backend,
    train: traces,
    config: {
      model: { preset: "micro", blockSize },
      tokenizer: { type: tokenizerType, vocabSize: 512 },
      data: { batchSize: 16, batching },
      schedule: { maxSteps: steps },
      eval: { everySteps: 0 },
    },
    onStep: (e) => {
      if (e.step <= 3) return; // warm-up
      supervised += e.tokens;
      slots += e.token_slots;
      ms += (e.token_slots / e.tokens_per_s) * 1000;
    },
  });
  const st = r.data.train;
  examples = (supervised / st.supervisedTokens) * st.kept;
  console.log(
    JSON.stringify({
      batching,
      tokenizer: tokenizerType,
      vocab: r.model.tokenizer.vocabSize,
      block: blockSize,
      mean_example_tokens: +(st.tokens / st.kept).toFixed(1),
      slot_tokens_per_s: Math.round(slots / (ms / 1000)),
      supervised_tokens_per_s: Math.round(supervised / (ms / 1000)),
      examples_per_s: +(examples / (ms / 1000)).toFixed(1),
      ms_per_step: +(ms / (steps - 3)).toFixed(0),
    }),
  );
  r.model.gpt.dispose();
}

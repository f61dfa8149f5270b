/**
 * Train a small model from scratch on generated traces, then evaluate it on the shipped held-out set.
 * This is the demo in miniature (a few steps of a nano model, so it finishes in seconds and learns
 * little); `npx tunix-rt demo` runs the real thing. Run: `npx tsx examples/train-eval.ts`.
 * In your own code: `import { train, createGenerateFn } from "tunix-rt/train"`.
 */
import { ARITHMETIC_TRAINING_MIX, evaluate, generateTraces, loadEvalSet, exactAnswer, formatCompliance } from "../src/index.js";
import { createGenerateFn, train } from "../src/train/index.js";

const steps = Number(process.env.EXAMPLE_STEPS ?? 20);
const traces = [...generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 400, seed: "example" })];

const result = await train({
  train: traces.slice(0, 380),
  val: traces.slice(380),
  config: {
    model: { preset: "nano" },
    schedule: { maxSteps: steps, warmupSteps: 2 },
    data: { batchSize: 8 },
    eval: { everySteps: 0 },
  },
  onStep: (e) => {
    if (e.step % 5 === 0) console.log(`step ${e.step}: loss ${e.loss.toFixed(3)}`);
  },
});
console.log(`trained ${result.steps} steps, val loss ${result.valLoss?.toFixed(3)}`);

// Any (prompt) => Promise<string> can be evaluated; createGenerateFn renders the prompt as in training.
const generate = createGenerateFn(result.model, { maxNewTokens: 64 });
const all = await loadEvalSet(new URL("../evalsets/arithmetic-v1.jsonl", import.meta.url));
const evalSet = await loadEvalSet(all.items.filter((_, i) => i % 40 === 0), { name: "arithmetic-v1-slice" });
const report = await evaluate({ evalSet, generate, seed: 0, scorers: [exactAnswer(), formatCompliance()] });
for (const [name, m] of Object.entries(report.metrics)) console.log(`${name}: ${(m.mean * 100).toFixed(1)}% of ${m.n}`);
result.model.gpt.dispose();

import { describe, expect, it } from "vitest";
import { train } from "../../src/train/loop.js";
import { generate } from "../../src/train/sample.js";
import { reversalPairs, wasm } from "./helpers.js";

describe("proof that it learns", () => {
  it("a nano model learns to reverse 3-letter strings: loss < 0.1 and ≥ 90 % exact answers in 120 steps", async () => {
    const backend = await wasm();
    // compact turns keep the test fast: "<bos>abc>" → "cba<end_of_turn>"
    const pairs = reversalPairs("abcd").map((p) => ({
      prompt: p.prompt.replace("<bos><start_of_turn>user\n", "<bos>").replace("<end_of_turn>\n<start_of_turn>model\n", ">"),
      completion: p.completion.replace("<end_of_turn>\n", "<end_of_turn>"),
    }));
    expect(pairs[6]).toEqual({ prompt: "<bos>abc>", completion: "cba<end_of_turn>" });
    const r = await train({
      backend,
      train: pairs,
      config: {
        seed: 1,
        model: { preset: "nano", blockSize: 16 },
        data: { batchSize: 16 },
        schedule: { maxSteps: 120, warmupSteps: 20 },
      },
    });
    const last = r.history.filter((e) => e.type === "step").slice(-5);
    const avg = last.reduce((s, e) => s + (e.type === "step" ? e.loss : 0), 0) / last.length;
    expect(avg).toBeLessThan(0.1);
    const gens = await generate(r.model, pairs.map((p) => p.prompt), { maxNewTokens: 8 });
    const exact = gens.filter((g, i) => `${g.text}<end_of_turn>` === pairs[i]!.completion && g.stopReason === "end_of_turn").length;
    expect(exact / pairs.length).toBeGreaterThanOrEqual(0.9);
    r.model.gpt.dispose();
  });
});

import { describe, expect, it } from "vitest";
import { createGPT, resolveGPTConfig } from "../../src/train/model.js";
import { generate } from "../../src/train/sample.js";
import { createGenerateFn, renderGenerationPrompt } from "../../src/train/generate-fn.js";
import { createByteTokenizer } from "../../src/train/tokenizer.js";
import type { LanguageModel } from "../../src/train/checkpoint.js";
import { wasm } from "./helpers.js";

async function randomModel(seed = 1): Promise<LanguageModel> {
  const h = await wasm();
  const tokenizer = createByteTokenizer();
  return { gpt: createGPT(h, resolveGPTConfig({ preset: "nano", blockSize: 64 }, tokenizer.vocabSize), { seed }), tokenizer };
}

const prompts = ["<bos>hello there", "<bos>a", "<bos><start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n"];

describe("generate", () => {
  it("KV cache gives the same greedy tokens as full recomputation, batched with mixed lengths", async () => {
    const lm = await randomModel();
    const cached = await generate(lm, prompts, { maxNewTokens: 12 });
    const full = await generate(lm, prompts, { maxNewTokens: 12, useCache: false });
    expect(cached.map((g) => g.tokens)).toEqual(full.map((g) => g.tokens));
    // a row's tokens do not depend on its neighbours (left padding is masked)
    for (let i = 0; i < prompts.length; i++) {
      const alone = await generate(lm, [prompts[i]!], { maxNewTokens: 12 });
      expect(alone[0]!.tokens).toEqual(cached[i]!.tokens);
    }
    expect(cached[1]!.promptTokens).toBe(2);
    expect(cached.every((g) => g.completionTokens === g.tokens.length)).toBe(true);
    const numTensors = lm.gpt.tf.memory().numTensors;
    await generate(lm, prompts, { maxNewTokens: 5 });
    expect(lm.gpt.tf.memory().numTensors).toBe(numTensors);
    lm.gpt.dispose();
  });

  it("greedy is deterministic; sampling is seeded; stops at length, stop strings and block size", async () => {
    const lm = await randomModel(2);
    const a = await generate(lm, prompts, { maxNewTokens: 6 });
    expect(await generate(lm, prompts, { maxNewTokens: 6 })).toEqual(a);
    expect(a.every((g) => g.stopReason === "length" || g.stopReason === "end_of_turn" || g.stopReason === "eos")).toBe(true);
    const s1 = await generate(lm, prompts, { maxNewTokens: 8, temperature: 1, topK: 20, topP: 0.9, seed: 5 });
    const s2 = await generate(lm, prompts, { maxNewTokens: 8, temperature: 1, topK: 20, topP: 0.9, seed: 5 });
    expect(s2).toEqual(s1);
    const long = await generate(lm, ["<bos>" + "z".repeat(60)], { maxNewTokens: 50 });
    expect(long[0]!.promptTokens + long[0]!.completionTokens).toBeLessThanOrEqual(64);
    // a stop string that the greedy text contains cuts the text before it
    const probe = await generate(lm, [prompts[0]!], { maxNewTokens: 10 });
    const text = probe[0]!.text;
    if (text.length >= 2) {
      const stop = text.slice(1, 2);
      const cut = await generate(lm, [prompts[0]!], { maxNewTokens: 10, stop: [stop] });
      expect(cut[0]!.stopReason).toBe("stop");
      expect(cut[0]!.text).toBe(text.slice(0, text.indexOf(stop)));
    }
    await expect(generate(lm, prompts, { maxNewTokens: 0 })).rejects.toThrowError(/maxNewTokens must be a positive integer/);
    await expect(generate(lm, prompts, { topP: 0 })).rejects.toThrowError(/topP in \(0, 1\]/);
    await expect(generate(lm, ["<bos>" + "z".repeat(80)])).rejects.toThrowError(/prompts\[0\] has 81 tokens; blockSize is 64/);
    lm.gpt.dispose();
  });

  it("createGenerateFn renders the Gemma prompt and batches concurrent calls", async () => {
    const lm = await randomModel(3);
    expect(renderGenerationPrompt("What is 2+2?")).toBe("<bos><start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n");
    const fn = createGenerateFn(lm, { maxNewTokens: 5 });
    const qs = ["What is 2+2?", "x", "What is 12-7?"];
    const answers = await Promise.all(qs.map(fn));
    const direct = await generate(lm, qs.map((q) => renderGenerationPrompt(q)), { maxNewTokens: 5 });
    expect(answers).toEqual(direct.map((g) => g.text));
    expect(await fn("x")).toBe(answers[1]);
    lm.gpt.dispose();
  });
});

import { describe, expect, it } from "vitest";
import { createGPT, evalLoss, lossAndGrads, resolveGPTConfig } from "../../src/train/model.js";
import { AdamW } from "../../src/train/optimizer.js";
import { buildBatch, encodeExamples } from "../../src/train/data.js";
import { createByteTokenizer } from "../../src/train/tokenizer.js";
import { sumLossAndGrads } from "../../src/train/gradient-source.js";
import { registerAttention, defaultAttention, resolveAttention } from "../../src/train/attention.js";
import type { Tensor, TokenBatch } from "../../src/train/types.js";
import { syntheticBatch, wasm, weightsHash } from "./helpers.js";

const V = 261;
const cfg = resolveGPTConfig({ preset: "nano", blockSize: 32 }, V);

function maxRelDiff(a: Record<string, Tensor>, b: Record<string, Tensor>): number {
  let worst = 0;
  for (const k of Object.keys(a)) {
    const x = a[k]!.dataSync();
    const y = b[k]!.dataSync();
    let num = 0;
    let den = 1e-5; // some grads are exactly 0 in theory (key biases) and ~1e-10 noise in practice
    for (let i = 0; i < x.length; i++) {
      num = Math.max(num, Math.abs(x[i]! - y[i]!));
      den = Math.max(den, Math.abs(y[i]!));
    }
    worst = Math.max(worst, num / den);
  }
  return worst;
}

const dispose = (g: Record<string, Tensor>): void => Object.values(g).forEach((t) => t.dispose());

describe("GPT model", () => {
  it("uses nanoGPT parameter names and validates its config", async () => {
    const h = await wasm();
    const m = createGPT(h, cfg, { seed: 1 });
    expect(m.paramNames.slice(0, 4)).toEqual(["wte", "wpe", "h.0.ln_1.weight", "h.0.ln_1.bias"]);
    expect(m.paramNames).toContain("h.1.attn.c_q.weight");
    expect(m.paramNames).toContain("h.1.mlp.c_proj.bias");
    expect(m.paramNames.at(-1)).toBe("ln_f.bias");
    expect(m.fast).toBe(true);
    m.dispose();
    expect(() => resolveGPTConfig({ nEmbd: 30, nHead: 4 }, V)).toThrowError(/model.nHead: 4 does not divide nEmbd 30/);
    expect(() => resolveGPTConfig({ preset: "huge" as never }, V)).toThrowError(/unknown preset "huge"/);
    expect(() => createGPT(h, cfg, { attentionImpl: "nope" })).toThrowError(/unknown attention "nope"/);
  });

  it("fast custom-gradient path matches plain autodiff", async () => {
    const h = await wasm();
    const batch = syntheticBatch(4, 16, V);
    const fast = createGPT(h, cfg, { seed: 3, fastPath: "on" });
    const plain = createGPT(h, cfg, { seed: 3, fastPath: "off" });
    const a = lossAndGrads(fast, batch);
    const b = lossAndGrads(plain, batch);
    expect(a.tokens).toBe(32);
    expect(Math.abs(a.loss - b.loss) / b.loss).toBeLessThan(1e-5);
    expect(a.loss / a.tokens).toBeGreaterThan(Math.log(V) - 0.5); // ~uniform at init
    expect(maxRelDiff(a.grads, b.grads)).toBeLessThan(1e-3);
    dispose(a.grads);
    dispose(b.grads);
    fast.dispose();
    plain.dispose();
  });

  it("loss is a token-weighted sum: two half batches add up to the whole", async () => {
    const h = await wasm();
    const m = createGPT(h, cfg, { seed: 5 });
    const whole = syntheticBatch(4, 16, V);
    const half = (r0: number): TokenBatch => {
      const sl = <T extends Int32Array | Float32Array>(x: T): T => x.slice(r0 * 16, (r0 + 2) * 16) as T;
      return { ...whole, batchSize: 2, inputs: sl(whole.inputs), targets: sl(whole.targets), weights: sl(whole.weights), positions: sl(whole.positions), segments: sl(whole.segments) };
    };
    const w = lossAndGrads(m, whole);
    const s = sumLossAndGrads([lossAndGrads(m, half(0)), lossAndGrads(m, half(2))], h.tf);
    expect(s.tokens).toBe(w.tokens);
    expect(Math.abs(s.loss - w.loss) / w.loss).toBeLessThan(1e-5);
    expect(maxRelDiff(s.grads, w.grads)).toBeLessThan(1e-4);
    dispose(s.grads);
    dispose(w.grads);
    m.dispose();
  });

  it("loss masking: poisoning prompt-position targets changes neither loss nor grads", async () => {
    const h = await wasm();
    const m = createGPT(h, cfg, { seed: 7 });
    const clean = syntheticBatch(4, 16, V);
    const poisoned = { ...clean, targets: clean.targets.map((t, i) => (clean.weights[i] === 0 ? (t * 31 + 17) % V : t)) };
    expect(Array.from(poisoned.targets)).not.toEqual(Array.from(clean.targets));
    const a = lossAndGrads(m, clean);
    const b = lossAndGrads(m, poisoned);
    expect(b.loss).toBe(a.loss);
    expect(maxRelDiff(a.grads, b.grads)).toBe(0);
    dispose(a.grads);
    dispose(b.grads);
    m.dispose();
  });

  it("packed examples do not attend to each other (block-diagonal mask, restarting positions)", async () => {
    const h = await wasm();
    const m = createGPT(h, cfg, { seed: 9 });
    const tok = createByteTokenizer();
    const { examples } = encodeExamples(tok, [{ prompt: "<bos>xyz:", completion: "zyx" }, { prompt: "<bos>hello:", completion: "olleh" }], { maxTokens: 33 });
    const alone = buildBatch(examples, [[0]], { batching: "pack", blockSize: 32 });
    const packed = buildBatch(examples, [[1, 0]], { batching: "pack", blockSize: 32 });
    // supervise only example 0 in the packed row
    const w = packed.weights.map((x, i) => (packed.segments[i] === 2 ? x : 0));
    const onlyA = { ...packed, weights: w };
    const a = evalLoss(m, alone);
    const p = evalLoss(m, onlyA);
    expect(p.tokens).toBe(a.tokens);
    expect(Math.abs(p.loss - a.loss)).toBeLessThan(1e-4 * a.loss);
    // control: with a plain causal mask (isolation off) example 0 sees example 1 and its loss changes
    const leaky = evalLoss(m, { ...onlyA, causalOnly: true });
    expect(Math.abs(leaky.loss - a.loss)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it("AdamW state exports and imports exactly (bit-identical continuation)", async () => {
    const h = await wasm();
    const batches = [0, 1, 2, 3, 4].map((s) => syntheticBatch(2, 16, V, s));
    const step = (m: ReturnType<typeof createGPT>, o: AdamW, b: TokenBatch): void => {
      const r = lossAndGrads(m, b);
      const mean = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, h.tf.div(g, r.tokens)]));
      o.applyGrads(mean, 1e-2);
      dispose(r.grads);
      dispose(mean);
    };
    const a = createGPT(h, cfg, { seed: 11 });
    const oa = new AdamW(a);
    for (const b of batches.slice(0, 3)) step(a, oa, b);
    const b = createGPT(h, cfg, { seed: 99 });
    for (const n of b.paramNames) b.params[n]!.assign(a.params[n]!);
    const ob = new AdamW(b);
    ob.importState(oa.exportState());
    for (const x of batches.slice(3)) {
      step(a, oa, x);
      step(b, ob, x);
    }
    expect(weightsHash(b)).toBe(weightsHash(a));
    expect(ob.step).toBe(5);
    expect(() => ob.importState({ ...oa.exportState(), m: {} })).toThrowError(/moments for wte missing/);
    oa.dispose();
    ob.dispose();
    a.dispose();
    b.dispose();
  });

  it("attention implementations resolve through the registry", async () => {
    const h = await wasm();
    let calls = 0;
    registerAttention("counting", (i) => {
      calls++;
      return defaultAttention(i);
    });
    expect(resolveAttention("counting")).toBeTypeOf("function");
    const m = createGPT(h, cfg, { seed: 1, attentionImpl: "counting" });
    evalLoss(m, syntheticBatch(1, 8, V));
    expect(calls).toBe(cfg.nLayer);
    m.dispose();
    expect(() => registerAttention("Bad Name", defaultAttention)).toThrowError(/registerAttention: name must match/);
  });
});

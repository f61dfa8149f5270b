import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { train, type TrainOptions } from "../../src/train/loop.js";
import { createInProcessGradientSource } from "../../src/train/gradient-source.js";
import { TrainingRunManifestSchema } from "../../src/manifest/index.js";
import { createMemoryArtifactStore } from "../../src/storage/index.js";
import type { StepEvent } from "../../src/train/events.js";
import { reversalPairs, syntheticBatch, wasm, weightsHash } from "./helpers.js";
import { createGPT, lossAndGrads, resolveGPTConfig } from "../../src/train/model.js";
import { AdamW } from "../../src/train/optimizer.js";

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "tunix-train-"));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const data = reversalPairs("abcd"); // 64 examples
const base = (over: Partial<TrainOptions> = {}): TrainOptions => ({
  train: data.slice(0, 48),
  val: data.slice(48),
  config: {
    seed: 3,
    model: { preset: "nano", blockSize: 32 },
    data: { batchSize: 8, batching: "pack" },
    schedule: { maxSteps: 10, warmupSteps: 3 },
    eval: { everySteps: 4 },
    checkpoint: { everySteps: 4, keep: 2 },
  },
  ...over,
});
const losses = (h: readonly { type: string }[]): number[] => h.filter((e): e is StepEvent => e.type === "step").map((e) => e.loss);

describe("train()", () => {
  it("is deterministic: same seed and backend give bit-identical losses and weights", async () => {
    const backend = await wasm();
    const a = await train(base({ backend }));
    const b = await train(base({ backend }));
    expect(losses(a.history)).toEqual(losses(b.history));
    expect(losses(a.history)).toHaveLength(10);
    expect(weightsHash(b.model.gpt)).toBe(weightsHash(a.model.gpt));
    const c = await train(base({ backend, config: { ...base().config, seed: 4 } }));
    expect(weightsHash(c.model.gpt)).not.toBe(weightsHash(a.model.gpt));
    for (const r of [a, b, c]) r.model.gpt.dispose();
  });

  it("resumes exactly: interrupted at step 5 (abort → checkpoint) and resumed ≡ uninterrupted", async () => {
    const backend = await wasm();
    const full = await train(base({ backend, checkpointDir: await tmp() }));
    const dir = await tmp();
    const metricsPath = join(dir, "metrics.jsonl");
    const ctl = new AbortController();
    const first = await train(
      base({ backend, checkpointDir: dir, metricsPath, signal: ctl.signal, onStep: (e) => (e.step === 5 ? ctl.abort() : undefined) }),
    );
    expect(first.stopReason).toBe("aborted");
    expect(first.steps).toBe(5);
    expect(first.checkpoints.map((c) => c.step)).toEqual([4, 5]);
    expect(first.manifest.status).toBe("aborted");
    first.model.gpt.dispose();
    const second = await train(base({ backend, checkpointDir: dir, metricsPath }));
    expect(second.resumedFrom).toBe(5);
    expect(second.steps).toBe(10);
    expect(losses(second.history)).toEqual(losses(full.history));
    expect(weightsHash(second.model.gpt)).toBe(weightsHash(full.model.gpt));
    expect(second.history.filter((e) => e.type === "eval")).toEqual(
      full.history.filter((e) => e.type === "eval").map((e) => ({ ...e, elapsed_s: expect.any(Number) })),
    );
    // metrics JSONL: one line per step/eval event, history rewritten on resume (no duplicates)
    const lines = (await readFile(metricsPath, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === "step").map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Object.keys(lines[0])).toEqual(expect.arrayContaining(["loss", "lr", "grad_norm", "tokens_per_s", "elapsed_s"]));
    // keep-N
    expect((await readdir(dir)).filter((n) => n.startsWith("step-")).sort()).toEqual(["step-000000008", "step-000000010"]);
    // manifest
    const m = TrainingRunManifestSchema.parse(second.manifest);
    expect(m.status).toBe("completed");
    expect(m.steps).toBe(10);
    expect(m.backend).toBe("wasm");
    expect(m.checkpoints.at(-1)?.step).toBe(10);
    expect(m.tokenizer_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.dataset_fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(m.extra?.["data"]).toMatchObject({ train: { total: 48, kept: 48, dropped: 0 } });
    full.model.gpt.dispose();
    second.model.gpt.dispose();
  });

  it("checkpoints into an ArtifactStore and resumes from its key exactly", async () => {
    const backend = await wasm();
    const store = createMemoryArtifactStore();
    const cfg = { ...base().config, schedule: { maxSteps: 6, warmupSteps: 2 }, checkpoint: { everySteps: 0 } };
    const full = await train(base({ backend, config: cfg }));
    const ctl = new AbortController();
    const first = await train(base({ backend, config: cfg, artifactStore: store, signal: ctl.signal, onStep: (e) => (e.step === 3 ? ctl.abort() : undefined) }));
    const key = first.checkpoints.at(-1)!.artifact_key!;
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    first.model.gpt.dispose();
    const second = await train(base({ backend, config: cfg, artifactStore: store, resumeFrom: key }));
    expect(second.resumedFrom).toBe(3);
    expect(weightsHash(second.model.gpt)).toBe(weightsHash(full.model.gpt));
    const fp = "a".repeat(64);
    const tagged = await train(base({ backend, config: { ...cfg, schedule: { maxSteps: 1 } }, dataset: { key: "arith-v1", fingerprint: fp } }));
    expect(tagged.manifest.dataset_key).toBe("arith-v1");
    expect(tagged.manifest.dataset_fingerprint).toBe(fp);
    tagged.model.gpt.dispose();
    await expect(train(base({ backend, config: cfg, resumeFrom: key }))).rejects.toThrowError(/resumeFrom needs artifactStore/);
    await expect(train(base({ backend, config: cfg, artifactStore: store, resumeFrom: "sha256:" + "0".repeat(64) }))).rejects.toThrowError(/not found/);
    full.model.gpt.dispose();
    second.model.gpt.dispose();
  });

  it("refuses to resume on different data or a different model shape", async () => {
    const backend = await wasm();
    const dir = await tmp();
    (await train(base({ backend, checkpointDir: dir, config: { ...base().config, schedule: { maxSteps: 2 } } }))).model.gpt.dispose();
    await expect(train(base({ backend, checkpointDir: dir, train: data.slice(0, 40) }))).rejects.toThrowError(/fingerprint mismatch/);
    await expect(
      train(base({ backend, checkpointDir: dir, config: { ...base().config, model: { preset: "nano", blockSize: 32, nEmbd: 32 } } })),
    ).rejects.toThrowError(/model.nEmbd is 64, config says 32/);
  });

  it("gradient accumulation is token-weighted: 2 micro-batches of 4 ≡ 1 batch of 8", async () => {
    const backend = await wasm();
    const eight = data.filter((_, i) => i % 8 === 0); // 8 same-length examples: one batch of 8 = two of 4
    const cfg = (batchSize: number, gradAccumSteps: number): TrainOptions => ({
      backend,
      train: eight,
      config: { seed: 1, model: { preset: "nano", blockSize: 32 }, data: { batchSize, gradAccumSteps }, schedule: { maxSteps: 3, warmupSteps: 1 } },
    });
    const a = await train(cfg(8, 1));
    const b = await train(cfg(4, 2));
    const la = losses(a.history);
    const lb = losses(b.history);
    la.forEach((x, i) => expect(Math.abs(x - lb[i]!) / x).toBeLessThan(1e-5));
    a.model.gpt.dispose();
    b.model.gpt.dispose();
  });

  it("the in-process gradient source weights micro-batches by token count, not by batch", async () => {
    const h = await wasm();
    const m = createGPT(h, resolveGPTConfig({ preset: "nano", blockSize: 32 }, 261), { seed: 2 });
    const b1 = syntheticBatch(2, 16, 261, 1);
    const b2 = { ...syntheticBatch(2, 16, 261, 2) };
    const w2 = b2.weights.map((w, i) => (i % 16 === 15 ? w : 0)); // only 2 supervised tokens
    const src = createInProcessGradientSource();
    await src.init({ model: m, optimizer: new AdamW(m) });
    const both = await src.compute([b1, { ...b2, weights: w2 }], 1);
    const r1 = lossAndGrads(m, b1);
    const r2 = lossAndGrads(m, { ...b2, weights: w2 });
    expect(both.tokens).toBe(r1.tokens + r2.tokens);
    expect(both.loss / both.tokens).toBeCloseTo((r1.loss + r2.loss) / (r1.tokens + r2.tokens), 5);
    expect(both.loss / both.tokens).not.toBeCloseTo((r1.loss / r1.tokens + r2.loss / r2.tokens) / 2, 3);
    for (const g of [both, r1, r2]) Object.values(g.grads).forEach((t) => t.dispose());
    await src.close();
    m.dispose();
  });

  it("stops early when val loss stops improving, and validates config and data", async () => {
    const backend = await wasm();
    const r = await train({
      backend,
      train: data.slice(0, 16),
      val: data.slice(16, 24),
      config: { model: { preset: "nano", blockSize: 32 }, optimizer: { lr: 1e-7 }, schedule: { maxSteps: 50, warmupSteps: 0 }, eval: { everySteps: 1, earlyStopPatience: 2, earlyStopMinDelta: 0.5 } },
    });
    expect(r.stopReason).toBe("early_stop");
    expect(r.steps).toBe(3);
    r.model.gpt.dispose();
    await expect(train({ backend, train: data, config: { optimizer: { lr: -1 } } as never })).rejects.toThrowError(/optimizer.lr/);
    await expect(train({ backend, train: data, config: { bogus: 1 } as never })).rejects.toThrowError(/Invalid training config/);
    await expect(
      train({ backend, train: [{ prompt: "<bos>" + "x".repeat(100), completion: "y" }], config: { model: { preset: "nano", blockSize: 32 } } }),
    ).rejects.toThrowError(/no training example has a supervised token \(1 given, 1 dropped/);
  });
});

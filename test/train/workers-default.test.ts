import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { train } from "../../src/train/loop.js";
import { parseTrainConfig } from "../../src/train/config.js";
import { reversalPairs, wasm } from "./helpers.js";

const config = (workers?: "auto" | number) => ({
  seed: 5,
  model: { preset: "nano" as const, blockSize: 32 },
  data: { batchSize: 8 },
  schedule: { maxSteps: 3, warmupSteps: 1 },
  ...(workers === undefined ? {} : { workers }),
});

describe("config.workers", () => {
  it('defaults to "auto" and rejects values outside 1..64 with the field named', () => {
    expect(parseTrainConfig({}).workers).toBe("auto");
    expect(() => parseTrainConfig({ workers: 0 })).toThrowError(/workers/);
    expect(() => parseTrainConfig({ workers: "many" })).toThrowError(/workers/);
  });

  it("auto runs one replica per core on wasm, and workers: 1 trains in-process with the same losses", async () => {
    const backend = await wasm();
    const data = reversalPairs("abc");
    const auto = await train({ backend, train: data, config: config() });
    const single = await train({ backend, train: data, config: config(1) });
    const expected = availableParallelism() > 1 ? "workers" : "in-process";
    expect(auto.manifest.extra?.["gradient_source"]).toBe(expected);
    expect(single.manifest.extra?.["gradient_source"]).toBe("in-process");
    const l = (r: typeof auto) => r.history.filter((e) => e.type === "step").map((e) => (e as { loss: number }).loss);
    // Row shards sum token-weighted gradients: the same losses to float32 rounding.
    l(auto).forEach((v, i) => expect(v).toBeCloseTo(l(single)[i]!, 4));
    auto.model.gpt.dispose();
    single.model.gpt.dispose();
  });
});

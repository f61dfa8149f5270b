import { describe, expect, it } from "vitest";
import { parseTrainConfig } from "../../src/train/config.js";
import { learningRate } from "../../src/train/schedule.js";

describe("learningRate", () => {
  const s = { lr: 1e-3, warmupSteps: 10, decaySteps: 110, minLrRatio: 0.1 };
  it("warms up linearly, decays by cosine to the floor, then stays there", () => {
    expect(learningRate(s, 1)).toBeCloseTo(1e-4, 12);
    expect(learningRate(s, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRate(s, 60)).toBeCloseTo(1e-4 + 0.5 * 9e-4, 12);
    expect(learningRate(s, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRate(s, 500)).toBeCloseTo(1e-4, 12);
    expect(learningRate({ ...s, warmupSteps: 0 }, 1)).toBeLessThanOrEqual(1e-3);
    for (let i = 11; i < 110; i++) expect(learningRate(s, i + 1)).toBeLessThanOrEqual(learningRate(s, i));
  });
});

describe("parseTrainConfig", () => {
  it("defaults to the learning recipe", () => {
    const c = parseTrainConfig({});
    expect(c.model.preset).toBe("micro");
    expect(c.optimizer).toEqual({ lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 });
    expect(c.schedule).toMatchObject({ warmupSteps: 30, minLrRatio: 0.1 });
    expect(c.data).toMatchObject({ batchSize: 16, gradAccumSteps: 1, batching: "pad" });
  });

  it("names every bad field", () => {
    expect(() => parseTrainConfig({ optimizer: { lr: 0 }, data: { batchSize: 1.5, batching: "zip" }, extra: 1 })).toThrowErrorMatchingInlineSnapshot(`
      [TunixError: Invalid training config
      (root): Unrecognized key: "extra"
      data.batchSize: Invalid input: expected int, received number
      data.batching: Invalid option: expected one of "pad"|"pack"
      optimizer.lr: Too small: expected number to be >0]
    `);
  });
});

import { describe, expect, it } from "vitest";
import { initBackend } from "../../src/train/backend.js";
import { isTunixError } from "../../src/errors.js";
import { createGPT, lossAndGrads, resolveGPTConfig } from "../../src/train/model.js";
import { syntheticBatch } from "./helpers.js";

describe("initBackend", () => {
  it("rejects unknown preferences and names the missing optional peer for 'node'", async () => {
    await expect(initBackend("gpu" as never)).rejects.toThrowError(/backend: expected "auto" \| "node" \| "wasm" \| "cpu", got "gpu"/);
    try {
      await initBackend("node");
      // tfjs-node is installed in this environment: fine, nothing to check
    } catch (e) {
      expect(isTunixError(e, "DRIVER_MISSING")).toBe(true);
      expect((e as Error).message).toMatch(/@tensorflow\/tfjs-node/);
    }
  });

  it("cpu backend trains (gather gradient via the one-pass UnsortedSegmentSum) with plain autodiff layers", async () => {
    const h = await initBackend("cpu");
    expect(h.backend).toBe("cpu");
    expect(h.tf.getBackend()).toBe("cpu");
    const m = createGPT(h, resolveGPTConfig({ preset: "nano", blockSize: 16 }, 261), { seed: 1 });
    expect(m.fast).toBe(false);
    const r = lossAndGrads(m, syntheticBatch(2, 8, 261));
    expect(r.tokens).toBe(8);
    expect(Number.isFinite(r.loss)).toBe(true);
    const gw = r.grads["wte"]!.dataSync();
    expect(gw.some((x) => x !== 0)).toBe(true);
    Object.values(r.grads).forEach((t) => t.dispose());
    m.dispose();
  });

  it("auto picks tfjs-node when installed, else wasm", async () => {
    const h = await initBackend("auto");
    expect(["node", "wasm"]).toContain(h.backend);
  });
});

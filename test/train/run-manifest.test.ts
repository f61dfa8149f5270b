import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { train } from "../../src/train/loop.js";
import { GEMMA_TEMPLATE_SHA256 } from "../../src/eval/index.js";
import { reversalPairs, wasm } from "./helpers.js";

describe("training run manifest", () => {
  it("records the package version and the official gemma3 template sha256", async () => {
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const r = await train({
      backend: await wasm(),
      train: reversalPairs("ab"),
      config: { workers: 1, model: { preset: "nano", blockSize: 32 }, data: { batchSize: 4 }, schedule: { maxSteps: 1, warmupSteps: 1 } },
    });
    expect(r.manifest.library_version).toBe(pkg.version);
    expect(r.manifest.template).toEqual({ name: "gemma3", sha256: GEMMA_TEMPLATE_SHA256.gemma3 });
    r.model.gpt.dispose();
  });
});

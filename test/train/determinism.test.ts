import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { trainIterator } from "../../src/train/loop.js";
import { reversalPairs, wasm } from "./helpers.js";

const run = promisify(execFile);

describe("determinism and resources", () => {
  it("two separate processes produce bit-identical losses and weights", async () => {
    const script = join(__dirname, "fixtures", "train-hash.ts");
    const [a, b] = await Promise.all([0, 1].map(() => run(process.execPath, ["--import", "tsx", script])));
    const pa = JSON.parse(a!.stdout.trim().split("\n").at(-1)!);
    const pb = JSON.parse(b!.stdout.trim().split("\n").at(-1)!);
    expect(pa.losses).toHaveLength(6);
    expect(pb).toEqual(pa);
  }, 120_000);

  it("keeps the tensor count constant across steps (no leaks in the loop)", async () => {
    const backend = await wasm();
    const counts: number[] = [];
    const it = trainIterator({
      backend,
      train: reversalPairs("abcd"),
      val: reversalPairs("ab"),
      config: { model: { preset: "nano", blockSize: 32 }, data: { batchSize: 8 }, schedule: { maxSteps: 8 }, eval: { everySteps: 2 } },
    });
    for (;;) {
      const r = await it.next();
      if (r.done) {
        r.value.model.gpt.dispose();
        break;
      }
      if (r.value.type === "step") counts.push(backend.tf.memory().numTensors);
    }
    expect(counts).toHaveLength(8);
    expect(new Set(counts.slice(2)).size).toBe(1);
    // stopping the iterator early frees the model and optimizer too
    const before = backend.tf.memory().numTensors;
    const it2 = trainIterator({ backend, train: reversalPairs("abcd"), config: { model: { preset: "nano", blockSize: 32 }, data: { batchSize: 8 }, schedule: { maxSteps: 8 } } });
    await it2.next();
    await it2.return(undefined as never);
    expect(backend.tf.memory().numTensors).toBe(before);
  });
});

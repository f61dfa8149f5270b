import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, truncate, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  cleanCheckpointTemp,
  listCheckpoints,
  loadCheckpoint,
  loadLatestCheckpoint,
  loadModel,
  saveCheckpoint,
} from "../../src/train/checkpoint.js";
import { createGPT, resolveGPTConfig } from "../../src/train/model.js";
import { AdamW } from "../../src/train/optimizer.js";
import { createByteTokenizer } from "../../src/train/tokenizer.js";
import { wasm, weightsHash } from "./helpers.js";

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "tunix-ckpt-"));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("checkpoints", () => {
  it("round-trip weights and tokenizer; keep-N prunes; a corrupt newest one falls back to the previous", async () => {
    const h = await wasm();
    const tok = createByteTokenizer();
    const m = createGPT(h, resolveGPTConfig("nano", tok.vocabSize), { seed: 4 });
    const opt = new AdamW(m);
    const dir = await tmp();
    for (const step of [1, 2, 3]) await saveCheckpoint(dir, { model: m, optimizer: opt, tokenizer: tok, trainer: { step }, step, keep: 2 });
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([3, 2]);
    const lm = await loadModel(h, dir);
    expect(weightsHash(lm.gpt)).toBe(weightsHash(m));
    expect(lm.tokenizer.hash).toBe(tok.hash);
    lm.gpt.dispose();
    // corrupt the newest: loading it names the file; "latest" falls back to step 2
    await truncate(join(dir, "step-000000003", "weights.bin"), 100);
    await expect(loadCheckpoint(h.tf, join(dir, "step-000000003"))).rejects.toThrowError(/step-000000003\/weights.bin: sha256 does not match/);
    const latest = await loadLatestCheckpoint(h.tf, dir);
    expect(latest?.meta.step).toBe(2);
    Object.values(latest!.tensors).forEach((t) => t.dispose());
    await expect(loadModel(h, await tmp())).rejects.toThrowError(/no valid checkpoint/);
    opt.dispose();
    m.dispose();
  });

  it("kill -9 during a checkpoint write leaves the previous checkpoint usable", async () => {
    const h = await wasm();
    const dir = await tmp();
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "fixtures", "checkpoint-writer.ts"), dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      child.on("exit", (code) => reject(new Error(`writer exited early (${code}): ${out}`)));
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        // kill shortly after the 3rd save started: mid-write of checkpoint 4 (~40 MB with moments)
        if (out.includes("saved 3")) setTimeout(() => resolve(), 15);
      });
    });
    child.removeAllListeners("exit");
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
    const latest = await loadLatestCheckpoint(h.tf, dir);
    expect(latest).toBeDefined();
    const step = latest!.meta.step;
    expect(step).toBeGreaterThanOrEqual(3);
    expect(Array.from(latest!.tensors["ln_f.bias"]!.dataSync().slice(0, 2))).toEqual([step, step]);
    Object.values(latest!.tensors).forEach((t) => t.dispose());
    await cleanCheckpointTemp(dir);
    expect((await readdir(dir)).every((n) => n.startsWith("step-"))).toBe(true);
  }, 120_000);

  it("ignores leftover temp directories and validates checkpoint.json", async () => {
    const h = await wasm();
    const dir = await tmp();
    await mkdir(join(dir, ".tmp-step-000000009-1"), { recursive: true });
    await mkdir(join(dir, "step-000000007"), { recursive: true });
    await writeFile(join(dir, "step-000000007", "checkpoint.json"), "{not json");
    await writeFile(join(dir, "step-000000007", "weights.bin"), "");
    expect(await loadLatestCheckpoint(h.tf, dir)).toBeUndefined();
    await expect(loadCheckpoint(h.tf, join(dir, "step-000000007"))).rejects.toThrowError(/cannot read checkpoint.json\/weights.bin/);
  });
});

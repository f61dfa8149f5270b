import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { TunixError } from "../../errors.js";
import { readDatasetManifest } from "../../manifest/index.js";
import { STORE_OPTION, flag, int, num, oneOf, str, usageError } from "../args.js";
import type { Command } from "../context.js";
import { runTraining, splitTraces } from "../training.js";

/** `tunix-rt train`: train a small model on a dataset split, with checkpoints and resume. */
export const trainCommand: Command = {
  name: "train",
  summary: "train a small GPT on a dataset split (CPU/wasm; Ctrl-C checkpoints, rerun resumes)",
  usage: "<dataset.manifest.json> [--split train] [--val-split val] [--out runs/NAME] [--steps N] [--preset micro]",
  maxPositionals: 1,
  options: {
    split: { type: "string", placeholder: "NAME", help: "training split (default: all traces when the dataset has no splits)", default: "train" },
    "val-split": { type: "string", placeholder: "NAME", help: "validation split for eval loss", default: "val" },
    out: { type: "string", placeholder: "DIR", help: "run directory (checkpoints/, metrics.jsonl, run manifest)" },
    steps: { type: "string", placeholder: "N", help: "optimizer steps", default: "1000" },
    preset: { type: "string", placeholder: "P", help: "model size: nano | micro | small", default: "micro" },
    "batch-size": { type: "string", placeholder: "N", help: "examples per step", default: "16" },
    lr: { type: "string", placeholder: "X", help: "peak learning rate", default: "0.003" },
    tokenizer: { type: "string", placeholder: "T", help: "byte | bpe", default: "byte" },
    backend: { type: "string", placeholder: "B", help: "auto | node | wasm | cpu", default: "auto" },
    workers: { type: "string", placeholder: "N", help: "data-parallel replicas (default: the number of cores)" },
    "checkpoint-every": { type: "string", placeholder: "N", help: "also checkpoint every N steps (0 = at the end and on Ctrl-C)", default: "0" },
    seed: { type: "string", placeholder: "S", help: "seed of init and data order", default: "0" },
    config: { type: "string", placeholder: "FILE", help: "JSON trainer config (TrainConfigInput); flags override it" },
    fresh: { type: "boolean", help: "start over instead of resuming from the newest checkpoint" },
    ...STORE_OPTION,
  },
  details: "Example:\n  tunix-rt train datasets/arith-v1.manifest.json --steps 1500 --out runs/arith",
  async run(ctx, args) {
    const file = args.positionals[0];
    if (file === undefined) throw usageError("train", "give the dataset manifest file");
    const manifest = await readDatasetManifest(ctx.path(file));
    let base: Record<string, unknown> = {};
    const configFile = str(args, "config");
    if (configFile) {
      try {
        base = JSON.parse(await readFile(ctx.path(configFile), "utf8")) as Record<string, unknown>;
      } catch (e) {
        throw new TunixError("TRAIN_CONFIG_INVALID", `cannot read --config ${configFile}: ${(e as Error).message}`);
      }
    }
    const sub = (k: string) => ({ ...((base[k] as Record<string, unknown>) ?? {}) });
    const config = {
      ...base,
      model: { ...sub("model"), preset: oneOf("train", args, "preset", ["nano", "micro", "small"] as const) ?? "micro" },
      tokenizer: { ...sub("tokenizer"), type: oneOf("train", args, "tokenizer", ["byte", "bpe"] as const) ?? "byte" },
      optimizer: { ...sub("optimizer"), lr: num("train", args, "lr", { min: 1e-6, max: 1 }) ?? 3e-3 },
      schedule: { ...sub("schedule"), maxSteps: int("train", args, "steps", { min: 1 }) ?? 1000 },
      data: { ...sub("data"), batchSize: int("train", args, "batch-size", { min: 1, max: 4096 }) ?? 16 },
      checkpoint: { ...sub("checkpoint"), everySteps: int("train", args, "checkpoint-every", { min: 0 }) ?? 0 },
      backend: oneOf("train", args, "backend", ["auto", "node", "wasm", "cpu"] as const) ?? "auto",
      seed: str(args, "seed") ?? "0",
    };
    const store = await ctx.openStore(str(args, "store"));
    const hasSplits = manifest.splits !== undefined;
    const split = str(args, "split") ?? "train";
    const valSplit = str(args, "val-split") ?? "val";
    const train = await splitTraces(manifest, store, hasSplits ? split : undefined);
    const val = hasSplits && manifest.splits?.[valSplit] ? await splitTraces(manifest, store, valSplit) : [];
    if (train.length === 0) throw new TunixError("TRAIN_NO_DATA", `dataset ${manifest.dataset_key} has no traces in split "${split}"`);
    const runDir = ctx.path(str(args, "out") ?? `runs/${manifest.dataset_key}`);
    ctx.out.note(`training on ${train.length} traces (${val.length} validation) → ${runDir}`);
    const workers = int("train", args, "workers", { min: 1, max: 64 }) ?? availableParallelism();
    const { result, checkpointDir, manifestPath, metricsPath } = await runTraining(ctx, { train, val, config, runDir, fresh: flag(args, "fresh"), workers });
    result.model.gpt.dispose();
    ctx.out.result(
      {
        run_dir: runDir,
        steps: result.steps,
        stop_reason: result.stopReason,
        final_loss: result.finalLoss,
        val_loss: result.valLoss,
        resumed_from: result.resumedFrom,
        checkpoints: checkpointDir,
        metrics: metricsPath,
        manifest: manifestPath ?? null,
      },
      [
        `trained ${result.steps} steps (${result.stopReason}), loss ${result.finalLoss?.toFixed(3) ?? "-"}${result.valLoss !== null ? `, val loss ${result.valLoss.toFixed(3)}` : ""}`,
        `checkpoints: ${checkpointDir}`,
        `next: tunix-rt eval --checkpoint ${checkpointDir}`,
      ],
    );
  },
};

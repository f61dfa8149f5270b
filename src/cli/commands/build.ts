import { buildDataset, type DatasetRequestInput } from "../../dataset/index.js";
import { writeManifest, type DatasetManifestLike } from "../../manifest/index.js";
import type { TraceFilter } from "../../storage/index.js";
import { STORE_OPTION, flag, int, jsonValue, keyNumbers, oneOf, str, usageError } from "../args.js";
import type { Command } from "../context.js";

/** Default directory of dataset manifests written by `build`. */
export const DEFAULT_DATASETS_DIR = "datasets";

/** Human summary lines of a built dataset. */
export function datasetSummary(m: DatasetManifestLike, path: string | undefined): string[] {
  const splits = m.splits ? Object.entries(m.splits).map(([k, v]) => `${k} ${v.count}`).join(", ") : "no splits";
  return [
    `dataset ${m.dataset_key}: ${m.trace_count} traces (${splits})`,
    `  fingerprint ${m.fingerprint ?? "-"}`,
    ...(path ? [`  manifest ${path}`] : []),
  ];
}

/** `tunix-rt build`: a deterministic dataset manifest from the store. */
export const buildCommand: Command = {
  name: "build",
  summary: "build a deterministic dataset (manifest with ids, splits, fingerprint) from the store",
  usage: "--name NAME --version V [--strategy random] [--seed S] [--limit N] [--splits train=0.9,test=0.1]",
  maxPositionals: 0,
  options: {
    name: { type: "string", placeholder: "NAME", help: "dataset name (letters, digits, '.', '_', '-')" },
    version: { type: "string", placeholder: "V", help: "dataset version", default: "v1" },
    strategy: { type: "string", placeholder: "S", help: "latest | random | stratified", default: "random" },
    seed: { type: "string", placeholder: "S", help: "seed (random, stratified and splits need one)", default: "1" },
    limit: { type: "string", placeholder: "N", help: "most traces to select" },
    filter: { type: "string", placeholder: "JSON", help: `storage filter, e.g. '{"meta":"category","eq":"arithmetic"}'` },
    splits: { type: "string", placeholder: "SPLITS", help: "split fractions, e.g. train=0.8,val=0.1,test=0.1" },
    "stratify-by": { type: "string", placeholder: "PATH", help: "meta path to stratify by (strategy stratified)" },
    dedupe: { type: "boolean", help: "drop traces duplicating another's normalized prompt + answer" },
    "out-dir": { type: "string", placeholder: "DIR", help: "where to write <key>.manifest.json", default: DEFAULT_DATASETS_DIR },
    overwrite: { type: "boolean", help: "replace an existing manifest with different content" },
    ...STORE_OPTION,
  },
  details: "Example:\n  tunix-rt build --name arith --version v1 --splits train=0.95,val=0.05 --seed 7",
  async run(ctx, args) {
    const name = str(args, "name");
    if (name === undefined) throw usageError("build", "--name is required");
    const strategy = oneOf("build", args, "strategy", ["latest", "random", "stratified"] as const) ?? "random";
    const seedText = str(args, "seed") ?? "1";
    const seed = /^-?\d+$/.test(seedText) && Number.isSafeInteger(Number(seedText)) ? Number(seedText) : seedText;
    const limit = int("build", args, "limit", { min: 1 });
    const filter = jsonValue("build", args, "filter") as TraceFilter | undefined;
    const splitsText = str(args, "splits");
    const by = str(args, "stratify-by");
    const request: DatasetRequestInput = {
      name,
      version: str(args, "version") ?? "v1",
      strategy,
      ...(strategy !== "latest" || splitsText ? { seed } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(filter !== undefined ? { filter } : {}),
      ...(splitsText ? { splits: keyNumbers("build", "splits", splitsText) } : {}),
      ...(by ? { stratify: { by } } : {}),
      ...(flag(args, "dedupe") ? { dedupe: true } : {}),
    };
    const store = await ctx.openStore(str(args, "store"));
    const progress = ctx.out.progress("build", undefined, "");
    // Compact: the same manifest without a string[] of every id (a million-trace build stays small).
    const manifest = await buildDataset(store, request, { compact: true });
    progress.finish(`${manifest.trace_count} traces`);
    const written = await writeManifest(manifest, { dir: ctx.path(str(args, "out-dir") ?? DEFAULT_DATASETS_DIR), overwrite: flag(args, "overwrite") });
    const m = written.manifest;
    ctx.out.result(
      { dataset_key: m.dataset_key, trace_count: m.trace_count, fingerprint: m.fingerprint, splits: m.splits ?? null, manifest: written.path, written: written.written },
      datasetSummary(m, written.path),
    );
  },
};

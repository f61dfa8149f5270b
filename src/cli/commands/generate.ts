import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { once } from "node:events";
import { TunixError } from "../../errors.js";
import { ARITHMETIC_TRAINING_MIX, DEFAULT_MIX, GENERATOR_NAMES, generateTraces, type Mix } from "../../generate/index.js";
import type { TraceStore } from "../../storage/index.js";
import { STORE_OPTION, int, keyNumbers, oneOf, str, usageError, type ParsedArgs } from "../args.js";
import type { Command, CommandContext } from "../context.js";

/** Named mixes for `--mix`. */
const PRESETS: Record<string, Mix> = { default: DEFAULT_MIX, arithmetic: ARITHMETIC_TRAINING_MIX };

async function resolveMix(ctx: CommandContext, args: ParsedArgs): Promise<Mix> {
  const file = str(args, "mix-file");
  const mix = str(args, "mix");
  if (file && mix) throw usageError("generate", "give --mix or --mix-file, not both");
  if (file) {
    let text: string;
    try {
      text = await readFile(ctx.path(file), "utf8");
    } catch (e) {
      throw new TunixError("NOT_FOUND", `cannot read --mix-file ${file}: ${(e as Error).message}`, { cause: e });
    }
    try {
      return JSON.parse(text) as Mix;
    } catch (e) {
      throw new TunixError("INVALID_ARGUMENT", `--mix-file ${file} is not JSON: ${(e as Error).message}`);
    }
  }
  if (mix === undefined) return DEFAULT_MIX;
  if (PRESETS[mix]) return PRESETS[mix];
  const weights = keyNumbers("generate", "mix", mix);
  for (const k of Object.keys(weights)) {
    if (!(GENERATOR_NAMES as readonly string[]).includes(k)) {
      throw usageError("generate", `--mix: unknown generator ${JSON.stringify(k)} (generators: ${GENERATOR_NAMES.join(", ")}; presets: ${Object.keys(PRESETS).join(", ")})`);
    }
  }
  return weights;
}

/** Writes generated traces into a store in batches; returns how many were stored. */
export async function storeTraces(
  ctx: CommandContext,
  store: TraceStore,
  traces: Iterable<unknown>,
  count: number,
  label = "generate",
): Promise<number> {
  const progress = ctx.out.progress(label, count, " traces");
  let batch: unknown[] = [];
  let stored = 0;
  for (const t of traces) {
    batch.push(t);
    if (batch.length === 1000) {
      stored += (await store.putMany(batch)).stored.length;
      batch = [];
      progress.update(stored);
      if (ctx.io.signal.aborted) throw new TunixError("ABORTED", `interrupted after storing ${stored} traces`);
    }
  }
  if (batch.length > 0) stored += (await store.putMany(batch)).stored.length;
  progress.update(stored);
  progress.finish();
  return stored;
}

/** `tunix-rt generate`: synthetic traces into a store or a JSONL file. */
export const generateCommand: Command = {
  name: "generate",
  summary: "generate synthetic reasoning traces into the store or a JSONL file",
  usage: "[--count N] [--seed S] [--mix preset|name=weight,...] [--out file.jsonl | --store URI]",
  maxPositionals: 0,
  options: {
    count: { type: "string", placeholder: "N", help: "number of traces", default: "1000" },
    seed: { type: "string", placeholder: "S", help: "seed: same seed, same traces byte for byte", default: "tunix-rt" },
    mix: {
      type: "string",
      placeholder: "MIX",
      help: `preset (default | arithmetic) or weights like arithmetic=3,logic=1 (generators: ${GENERATOR_NAMES.join(", ")})`,
      default: "default",
    },
    "mix-file": { type: "string", placeholder: "FILE", help: "JSON array of mix entries {generator, weight, options}" },
    holdout: { type: "string", placeholder: "MODE", help: "held-out prompts: exclude | only | ignore", default: "exclude" },
    out: { type: "string", placeholder: "FILE", help: "write JSONL to this file ('-' for stdout) instead of the store" },
    ...STORE_OPTION,
  },
  details: "Examples:\n  tunix-rt generate --count 5000 --mix arithmetic\n  tunix-rt generate --count 100 --mix logic=1,string=2 --out traces.jsonl",
  async run(ctx, args) {
    const count = int("generate", args, "count", { min: 0, max: 10_000_000 }) ?? 1000;
    const seed = str(args, "seed") ?? "tunix-rt";
    const holdout = oneOf("generate", args, "holdout", ["exclude", "only", "ignore"] as const) ?? "exclude";
    const mix = await resolveMix(ctx, args);
    const traces = generateTraces({ mix, count, seed, holdout });
    const out = str(args, "out");
    if (out !== undefined && str(args, "store") !== undefined) throw usageError("generate", "give --out or --store, not both");
    if (out !== undefined) {
      const toStdout = out === "-";
      const stream = toStdout ? undefined : createWriteStream(ctx.path(out));
      const progress = toStdout ? undefined : ctx.out.progress("generate", count, " traces");
      let n = 0;
      for (const t of traces) {
        const line = `${JSON.stringify(t)}\n`;
        if (stream) {
          if (!stream.write(line)) await once(stream, "drain");
        } else ctx.io.stdout.write(line);
        n++;
        if (n % 1000 === 0) progress?.update(n);
      }
      if (stream) {
        stream.end();
        await once(stream, "finish");
      }
      progress?.update(n);
      progress?.finish();
      if (!toStdout) ctx.out.result({ generated: n, seed, out: ctx.path(out) }, `generated ${n} traces (seed ${JSON.stringify(seed)}) → ${ctx.path(out)}`);
      return;
    }
    const store = await ctx.openStore(str(args, "store"));
    const stored = await storeTraces(ctx, store, traces, count);
    ctx.out.result(
      { generated: stored, seed, store: ctx.storeUri(str(args, "store")), total_in_store: await store.count() },
      `generated ${stored} traces (seed ${JSON.stringify(seed)}) into ${ctx.storeUri(str(args, "store"))}`,
    );
  },
};

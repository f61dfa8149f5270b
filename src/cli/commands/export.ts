import { Writable } from "node:stream";
import { exportDataset, writeJsonl } from "../../dataset/index.js";
import { readDatasetManifest } from "../../manifest/index.js";
import { TRACE_FORMATS, type TraceFormat } from "../../render/index.js";
import { STORE_OPTION, flag, oneOf, str, usageError } from "../args.js";
import type { Command } from "../context.js";

/** `tunix-rt export`: a dataset as training JSONL for Tunix, TRL or the Python tunix-rt. */
export const exportCommand: Command = {
  name: "export",
  summary: "export a dataset as JSONL (tunix_sft, messages, prompt_completion, training_example, trace)",
  usage: "<dataset.manifest.json> --out FILE [--format tunix_sft] [--split train] [--python-json]",
  maxPositionals: 1,
  options: {
    format: { type: "string", placeholder: "F", help: TRACE_FORMATS.join(" | "), default: "tunix_sft" },
    split: { type: "string", placeholder: "NAME", help: "export only this split" },
    out: { type: "string", placeholder: "FILE", help: "output JSONL file ('-' for stdout)" },
    style: { type: "string", placeholder: "S", help: "response style: reasoning_answer | xml_tags", default: "reasoning_answer" },
    template: { type: "string", placeholder: "T", help: "gemma2 | gemma3", default: "gemma3" },
    "system-instruction": { type: "string", placeholder: "TEXT", help: "instruction placed before each prompt" },
    compat: { type: "string", placeholder: "C", help: "official | tunix-rt (the Python exporter's layout)", default: "official" },
    "python-json": { type: "boolean", help: "format lines as Python json.dumps does (diff-clean against the Python exporter)" },
    "skip-missing": { type: "boolean", help: "skip (and count) traces missing from the store instead of failing" },
    ...STORE_OPTION,
  },
  details: "Example:\n  tunix-rt export datasets/arith-v1.manifest.json --format messages --split train --out train.jsonl",
  async run(ctx, args) {
    const manifestFile = args.positionals[0];
    if (manifestFile === undefined) throw usageError("export", "give the dataset manifest file");
    const out = str(args, "out");
    if (out === undefined) throw usageError("export", "--out is required ('-' for stdout)");
    const format = (oneOf("export", args, "format", TRACE_FORMATS) ?? "tunix_sft") as TraceFormat;
    const style = oneOf("export", args, "style", ["reasoning_answer", "xml_tags"] as const) ?? "reasoning_answer";
    const template = oneOf("export", args, "template", ["gemma2", "gemma3"] as const) ?? "gemma3";
    const compat = oneOf("export", args, "compat", ["official", "tunix-rt"] as const) ?? "official";
    const manifest = await readDatasetManifest(ctx.path(manifestFile), { compact: true });
    const store = await ctx.openStore(str(args, "store"));
    const split = str(args, "split");
    const instruction = str(args, "system-instruction");
    const records = exportDataset(manifest, store, {
      format,
      style,
      template,
      compat,
      ...(split !== undefined ? { split } : {}),
      ...(instruction !== undefined ? { systemInstruction: instruction } : {}),
      ...(flag(args, "skip-missing") ? { onMissing: "skip" as const } : {}),
    });
    const toStdout = out === "-";
    const stdout = new Writable({
      write(chunk: Buffer, _enc, done) {
        ctx.io.stdout.write(chunk.toString("utf8"));
        done();
      },
    });
    const written = await writeJsonl(records, toStdout ? stdout : ctx.path(out), { python: flag(args, "python-json") });
    if (toStdout) return;
    ctx.out.result(
      { dataset_key: manifest.dataset_key, format, split: split ?? null, out: ctx.path(out), ...written, skipped_missing: records.stats.skippedMissing },
      `exported ${written.lines} records (${format}${split ? `, split ${split}` : ""}) → ${ctx.path(out)}`,
    );
  },
};

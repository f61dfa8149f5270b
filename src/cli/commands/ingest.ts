import { existsSync } from "node:fs";
import { TunixError, formatIssues } from "../../errors.js";
import { ingestJsonl } from "../../storage/index.js";
import { STORE_OPTION, flag, int, str, usageError } from "../args.js";
import type { Command } from "../context.js";

/** `tunix-rt ingest`: JSONL files into the store, bad lines reported and skipped. */
export const ingestCommand: Command = {
  name: "ingest",
  summary: "load JSONL trace files into the store (bad lines are reported with their line number and skipped)",
  usage: "<file.jsonl>... [--store URI] [--source NAME] [--dedupe] [--strict]",
  maxPositionals: 1000,
  options: {
    source: { type: "string", placeholder: "NAME", help: "stamp meta.source on traces that have none" },
    dedupe: { type: "boolean", help: "skip traces whose content is already stored" },
    strict: { type: "boolean", help: "exit 2 when any line was skipped" },
    "batch-size": { type: "string", placeholder: "N", help: "traces per transaction", default: "1000" },
    ...STORE_OPTION,
  },
  details: "Example:\n  tunix-rt ingest dev-reasoning-v2.dataset.jsonl --source python --dedupe",
  async run(ctx, args) {
    if (args.positionals.length === 0) throw usageError("ingest", "give at least one JSONL file");
    const batchSize = int("ingest", args, "batch-size", { min: 1, max: 10_000 }) ?? 1000;
    for (const f of args.positionals) {
      if (!existsSync(ctx.path(f))) throw new TunixError("NOT_FOUND", `no such file: ${f}`);
    }
    const store = await ctx.openStore(str(args, "store"));
    const results = [];
    let skipped = 0;
    for (const f of args.positionals) {
      const progress = ctx.out.progress(`ingest ${f}`, undefined, " lines");
      const source = str(args, "source");
      const report = await ingestJsonl(store, ctx.path(f), {
        batchSize,
        dedupe: flag(args, "dedupe"),
        ...(source !== undefined ? { source } : {}),
        signal: ctx.io.signal,
        onProgress: (p) => progress.update(p.lines, `stored ${p.stored} skipped ${p.skipped}`),
      });
      progress.finish(`stored ${report.stored} skipped ${report.skipped}`);
      skipped += report.skipped;
      results.push({ file: f, ...report });
      if (!ctx.out.json) {
        ctx.out.line(`${f}: ${report.stored} stored, ${report.skipped} skipped, ${report.duplicates} duplicates (${report.lines} lines)`);
        for (const err of report.errors.slice(0, 20)) ctx.out.line(`  ${formatIssues(err.issues).split("\n").join("\n  ")}`);
        if (report.errors.length > 20 || report.errorsTruncated) ctx.out.line(`  … ${report.skipped - Math.min(20, report.errors.length)} more skipped lines`);
      }
    }
    if (flag(args, "strict") && skipped > 0) {
      throw new TunixError("JSONL_INVALID", `${skipped} line(s) were skipped (--strict)`, { details: { files: results } });
    }
    if (ctx.out.json) ctx.out.result({ store: ctx.storeUri(str(args, "store")), files: results, total_in_store: await store.count() }, []);
  },
};

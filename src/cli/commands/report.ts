import { renderReportMarkdown, writeReport } from "../../eval/index.js";
import { compareRuns } from "../../eval/index.js";
import { str, usageError } from "../args.js";
import type { Command } from "../context.js";
import { readReport } from "./compare.js";

/** `tunix-rt report`: Markdown + SVG from a report.json (optionally with a loss curve and a baseline). */
export const reportCommand: Command = {
  name: "report",
  summary: "render an evaluation report as Markdown + SVG (loss curve, per-category bars, deltas)",
  usage: "<report.json> [--out DIR] [--metrics metrics.jsonl] [--baseline before/report.json]",
  maxPositionals: 1,
  options: {
    out: { type: "string", placeholder: "DIR", help: "output directory (default: the report's directory)" },
    metrics: { type: "string", placeholder: "FILE", help: "training metrics JSONL for the loss curve" },
    baseline: { type: "string", placeholder: "FILE", help: "an earlier report.json to show deltas against" },
    title: { type: "string", placeholder: "TEXT", help: "report title" },
    print: { type: "boolean", help: "print the Markdown on stdout instead of writing files" },
  },
  async run(ctx, args) {
    const file = args.positionals[0];
    if (file === undefined) throw usageError("report", "give a report.json");
    const report = await readReport(ctx, file);
    const baselineFile = str(args, "baseline");
    const comparison = baselineFile ? compareRuns(await readReport(ctx, baselineFile), report) : undefined;
    const title = str(args, "title");
    const opts = { ...(comparison ? { comparison } : {}), ...(title ? { title } : {}) };
    if (args.values.print) {
      ctx.io.stdout.write(renderReportMarkdown(report, opts));
      return;
    }
    const dir = ctx.path(str(args, "out") ?? (file.endsWith(".json") ? `${file}/..` : file));
    const metrics = str(args, "metrics");
    const written = await writeReport(dir, report, { ...opts, ...(metrics ? { metrics: ctx.path(metrics) } : {}) });
    ctx.out.result(written, [`report: ${written.markdown}`, ...written.charts.map((c) => `chart: ${c}`)]);
  },
};

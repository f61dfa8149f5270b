import { mkdir, readFile } from "node:fs/promises";
import { TunixError } from "../../errors.js";
import { evaluate, exactAnswer, formatCompliance, loadEvalSet, writeReport, type EvalSet, type EvaluationReport, type GenerateBatchFn, type Scorer } from "../../eval/index.js";
import { int, str, usageError } from "../args.js";
import { evalSetPath, type Command, type CommandContext } from "../context.js";
import { loadGenerator } from "../model.js";

/** Human summary of an evaluation report. */
export function reportSummary(report: EvaluationReport): string[] {
  const lines = [`eval set ${report.eval_set.name} (${report.eval_set.item_count} items)`];
  for (const [name, m] of Object.entries(report.metrics)) {
    lines.push(`  ${name.padEnd(18)} ${(m.mean * 100).toFixed(1)}%  (95% CI ${(m.ci95.low * 100).toFixed(1)}–${(m.ci95.high * 100).toFixed(1)}%)`);
  }
  return lines;
}

/** Reads `{id, response}` JSONL into a map. */
async function readResponses(ctx: CommandContext, file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(ctx.path(file), "utf8");
  } catch (e) {
    throw new TunixError("NOT_FOUND", `cannot read --responses ${file}: ${(e as Error).message}`, { cause: e });
  }
  const map = new Map<string, string>();
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new TunixError("JSONL_INVALID", `--responses ${file} line ${i + 1}: invalid JSON: ${(e as Error).message}`);
    }
    const r = row as { id?: unknown; response?: unknown };
    if (typeof r.id !== "string" || typeof r.response !== "string") {
      throw new TunixError("JSONL_INVALID", `--responses ${file} line ${i + 1}: expected {"id": string, "response": string}`);
    }
    map.set(r.id, r.response);
  });
  return map;
}

/**
 * Loads an eval set by shipped name or path. With `limit`, keeps `limit` items spread evenly over the set
 * (every k-th item), so a small slice still covers every section.
 */
export async function loadNamedEvalSet(ctx: CommandContext, nameOrPath: string, limit?: number): Promise<EvalSet> {
  const set = await loadEvalSet(evalSetPath(ctx, nameOrPath));
  if (limit === undefined || limit >= set.items.length) return set;
  const stride = set.items.length / limit;
  const items = Array.from({ length: limit }, (_, k) => set.items[Math.floor(k * stride)]!);
  return loadEvalSet(items, { name: set.name });
}

/** Runs one evaluation with progress and writes the report directory. */
export async function runEvaluation(
  ctx: CommandContext,
  options: {
    evalSet: EvalSet;
    generateBatch: GenerateBatchFn;
    outDir: string;
    label: string;
    model?: { name?: string; hash?: string };
    metrics?: string;
    seed?: string | number;
    scorers?: Scorer[];
  },
): Promise<EvaluationReport> {
  await mkdir(options.outDir, { recursive: true });
  const progress = ctx.out.progress(options.label, options.evalSet.items.length, " items");
  let correct = 0;
  const report = await evaluate({
    evalSet: options.evalSet,
    generateBatch: options.generateBatch,
    batchSize: 32,
    seed: options.seed ?? 0,
    template: "gemma3",
    signal: ctx.io.signal,
    recordsPath: `${options.outDir}/records.jsonl`,
    ...(options.scorers ? { scorers: options.scorers } : {}),
    ...(options.model ? { model: options.model } : {}),
    onItem: (record, p) => {
      const first = Object.values(record.scores)[0] as number | undefined;
      if (first === 1) correct++;
      progress.update(p.done, `exact ${correct}/${p.done}`);
    },
  });
  progress.finish();
  await writeReport(options.outDir, report, options.metrics ? { metrics: options.metrics } : {});
  return report;
}

/** `tunix-rt eval`: score a trained checkpoint (or recorded responses) on an eval set. */
export const evalCommand: Command = {
  name: "eval",
  summary: "evaluate a checkpoint (or recorded responses) on an eval set and write a report",
  usage: "--checkpoint DIR | --responses FILE [--eval-set arithmetic-v1] [--limit N] [--out DIR]",
  maxPositionals: 0,
  options: {
    checkpoint: { type: "string", placeholder: "DIR", help: "checkpoint directory written by `tunix-rt train`" },
    responses: { type: "string", placeholder: "FILE", help: 'JSONL of {"id", "response"} from any model' },
    "eval-set": { type: "string", placeholder: "SET", help: "shipped name (arithmetic-v1, reasoning-v1) or JSONL path", default: "arithmetic-v1" },
    limit: { type: "string", placeholder: "N", help: "only N items, spread evenly over the set" },
    out: { type: "string", placeholder: "DIR", help: "report directory (report.json, report.md, records.jsonl, SVG)", default: "eval-report" },
    metrics: { type: "string", placeholder: "FILE", help: "training metrics JSONL, for the loss curve in the report" },
    "max-new-tokens": { type: "string", placeholder: "N", help: "generation budget per answer", default: "160" },
    seed: { type: "string", placeholder: "S", help: "bootstrap seed", default: "0" },
  },
  details: "Examples:\n  tunix-rt eval --checkpoint runs/arith/checkpoints\n  tunix-rt eval --responses answers.jsonl --eval-set my-set.jsonl",
  async run(ctx, args) {
    const checkpoint = str(args, "checkpoint");
    const responses = str(args, "responses");
    if ((checkpoint === undefined) === (responses === undefined)) throw usageError("eval", "give exactly one of --checkpoint or --responses");
    const evalSet = await loadNamedEvalSet(ctx, str(args, "eval-set") ?? "arithmetic-v1", int("eval", args, "limit", { min: 1 }));
    const outDir = ctx.path(str(args, "out") ?? "eval-report");
    let generateBatch: GenerateBatchFn;
    let model: { name?: string; hash?: string } | undefined;
    let scorers: Scorer[] | undefined;
    let dispose = () => undefined as void;
    if (responses !== undefined) {
      const map = await readResponses(ctx, responses);
      const missing = evalSet.items.filter((it) => !map.has(it.id)).map((it) => it.id);
      if (missing.length > 0) {
        throw new TunixError("NOT_FOUND", `--responses has no response for item ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ""}`);
      }
      generateBatch = async (_prompts, items) =>
        items.map((it) => {
          const r = map.get(it.id);
          if (r === undefined) throw new TunixError("NOT_FOUND", `--responses has no response for item ${it.id}`);
          return r;
        });
      model = { name: `responses:${responses}` };
    } else {
      const g = await loadGenerator(ctx, ctx.path(checkpoint!), { maxNewTokens: int("eval", args, "max-new-tokens", { min: 1, max: 4096 }) ?? 160 });
      generateBatch = g.generateBatch;
      model = g.model;
      dispose = g.dispose;
      scorers = [exactAnswer(), formatCompliance({ requireEndOfTurn: true })];
    }
    try {
      const metrics = str(args, "metrics");
      const report = await runEvaluation(ctx, {
        evalSet,
        generateBatch,
        outDir,
        label: "eval",
        seed: str(args, "seed") ?? "0",
        ...(model ? { model } : {}),
        ...(scorers ? { scorers } : {}),
        ...(metrics ? { metrics: ctx.path(metrics) } : {}),
      });
      ctx.out.result({ report: `${outDir}/report.json`, primary_metric: report.primary_metric, metrics: Object.fromEntries(Object.entries(report.metrics).map(([k, m]) => [k, m.mean])) }, [
        ...reportSummary(report),
        `report: ${outDir}/report.md`,
      ]);
    } finally {
      dispose();
    }
  },
};

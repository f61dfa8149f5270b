import { readFile } from "node:fs/promises";
import { TunixError } from "../../errors.js";
import { compareRuns, parseEvaluationReport, type EvaluationReport, type RunComparison } from "../../eval/index.js";
import { usageError } from "../args.js";
import type { Command, CommandContext } from "../context.js";

/** Reads and validates a `report.json` (or the report directory holding one). */
export async function readReport(ctx: CommandContext, path: string): Promise<EvaluationReport> {
  const file = ctx.path(path.endsWith(".json") ? path : `${path}/report.json`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new TunixError("NOT_FOUND", `cannot read report ${file}: ${(e as Error).message}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TunixError("INVALID_ARGUMENT", `${file} is not JSON: ${(e as Error).message}`);
  }
  try {
    return parseEvaluationReport(value);
  } catch (e) {
    throw new TunixError("INVALID_ARGUMENT", `${file} is not an evaluation report`, { cause: e, issues: (e as TunixError).issues ?? [] });
  }
}

/** Human lines of a comparison. */
export function comparisonSummary(c: RunComparison): string[] {
  const lines: string[] = [];
  if (!c.same_eval_set) lines.push("warning: the two reports used different eval sets");
  for (const m of Object.values(c.metrics)) {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    lines.push(
      `${m.metric.padEnd(18)} ${pct(m.a)} → ${pct(m.b)}  (${m.delta >= 0 ? "+" : ""}${(m.delta * 100).toFixed(1)} points${m.significant ? ", significant" : ", within noise"}; ${m.wrong_to_right.length} fixed, ${m.right_to_wrong.length} broken)`,
    );
  }
  return lines;
}

/** `tunix-rt compare`: deltas between two evaluation reports. */
export const compareCommand: Command = {
  name: "compare",
  summary: "compare two evaluation reports (deltas, flipped items, significance)",
  usage: "<before/report.json> <after/report.json>",
  maxPositionals: 2,
  options: {},
  async run(ctx, args) {
    if (args.positionals.length !== 2) throw usageError("compare", "give two report.json files (before, after)");
    const [a, b] = await Promise.all(args.positionals.map((p) => readReport(ctx, p)));
    const comparison = compareRuns(a!, b!);
    ctx.out.result(comparison, comparisonSummary(comparison));
  },
};

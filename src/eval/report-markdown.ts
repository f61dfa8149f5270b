import type { RunComparison } from "./compare.js";
import type { RegressionGateResult } from "./gate.js";
import type { EvaluationReport, GroupSummary } from "./report-schema.js";
import { barChartSvg, lineChartSvg, parseMetricsJsonl, type MetricsPoint } from "./svg.js";

/** Options for {@link renderReportMarkdown}. */
export interface MarkdownReportOptions {
  /** Title (default `Evaluation: <eval set name>`). */
  title?: string;
  /** Charts to link, `![alt](path)`, e.g. those {@link writeReport} wrote. */
  charts?: readonly { alt: string; path: string }[];
  /** A comparison against an earlier run, rendered as a delta table. */
  comparison?: RunComparison;
  /** A regression-gate verdict, rendered as one line. */
  gate?: RegressionGateResult;
}

const MAX_LISTED = 20;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toFixed(4))) : "n/a");
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * Renders a report as Markdown: metadata, a metric table with 95% CIs, per-section / category /
 * difficulty tables for the primary metric, extraction methods, and optional comparison, gate and
 * chart links.
 *
 * @param report - the evaluation report.
 * @param options - title, chart links, comparison, gate.
 */
export function renderReportMarkdown(report: EvaluationReport, options: MarkdownReportOptions = {}): string {
  const L: string[] = [];
  L.push(`# ${options.title ?? `Evaluation: ${report.eval_set.name}`}`, "");
  L.push("| | |", "|---|---|");
  L.push(`| eval set | ${cell(report.eval_set.name)} (${report.eval_set.item_count} items) |`);
  L.push(`| eval set sha256 | \`${report.eval_set.sha256}\` |`);
  L.push(`| model | ${cell(report.model.name ?? "(unnamed)")}${report.model.hash ? ` \`${report.model.hash}\`` : ""} |`);
  L.push(`| chat template | ${report.template ? `${cell(report.template.name)} \`${report.template.hash}\`` : "(not recorded)"} |`);
  L.push(`| seed | ${cell(String(report.seed))} |`);
  L.push(`| library | ${report.library.name} ${report.library.version} |`);
  L.push(`| created | ${report.created_at} |`);
  if (report.error_count > 0) L.push(`| generation errors | ${report.error_count} |`);
  L.push("");

  L.push("## Metrics", "", "| metric | mean | 95% CI | std | min | max | n |", "|---|---|---|---|---|---|---|");
  for (const [name, m] of Object.entries(report.metrics)) {
    const star = name === report.primary_metric ? " (primary)" : "";
    L.push(`| ${name}${star} | ${pct(m.mean)} | ${pct(m.ci95.low)} – ${pct(m.ci95.high)} | ${num(m.std)} | ${num(m.min)} | ${num(m.max)} | ${m.n} |`);
  }
  L.push("");

  const primary = report.metrics[report.primary_metric];
  if (primary) {
    for (const [label, groups] of [
      ["section", primary.by_section],
      ["category", primary.by_category],
      ["difficulty", primary.by_difficulty],
    ] as const) {
      if (Object.keys(groups).length === 0) continue;
      L.push(`## ${report.primary_metric} by ${label}`, "", `| ${label} | mean | n |`, "|---|---|---|");
      for (const [key, g] of Object.entries(groups as Record<string, GroupSummary>)) L.push(`| ${cell(key)} | ${pct(g.mean)} | ${g.n} |`);
      L.push("");
    }
  }

  L.push("## Answer extraction", "", "| method | items |", "|---|---|");
  for (const [method, n] of Object.entries(report.extraction_counts).sort()) L.push(`| ${method} | ${n} |`);
  L.push("");

  if (options.comparison) {
    L.push("## Change from the previous run", "", "| metric | before | after | delta | delta % | paired 95% CI | significant | right→wrong | wrong→right |", "|---|---|---|---|---|---|---|---|---|");
    for (const c of Object.values(options.comparison.metrics)) {
      L.push(
        `| ${c.metric} | ${pct(c.a)} | ${pct(c.b)} | ${c.delta >= 0 ? "+" : ""}${num(c.delta)} | ${c.delta_pct >= 0 ? "+" : ""}${c.delta_pct.toFixed(2)}% | ${num(c.paired_ci.low)} – ${num(c.paired_ci.high)} | ${c.significant ? "yes" : "no"} | ${c.right_to_wrong.length} | ${c.wrong_to_right.length} |`,
      );
    }
    L.push("");
    for (const c of Object.values(options.comparison.metrics)) {
      for (const [label, ids] of [["right → wrong", c.right_to_wrong], ["wrong → right", c.wrong_to_right]] as const) {
        if (ids.length === 0) continue;
        const shown = ids.slice(0, MAX_LISTED).map((id) => `\`${id}\``).join(", ");
        L.push(`- ${c.metric} ${label} (${ids.length}): ${shown}${ids.length > MAX_LISTED ? `, … ${ids.length - MAX_LISTED} more` : ""}`);
      }
    }
    L.push("");
  }
  if (options.gate) {
    const g = options.gate;
    L.push(`**Regression gate: ${g.verdict.toUpperCase()}** — ${g.metric_name}: ${num(g.baseline_value)} → ${num(g.current_value)} (${g.delta_percent >= 0 ? "+" : ""}${g.delta_percent}%). ${cell(g.details)}`, "");
  }
  for (const chart of options.charts ?? []) L.push(`![${chart.alt}](${chart.path})`, "");
  return L.join("\n");
}

/**
 * The JSON form of a report: `JSON.stringify` with 2-space indentation and a trailing newline (the
 * report's key order is fixed by {@link evaluate}, so equal reports give equal bytes).
 *
 * @param report - the evaluation report.
 */
export function renderReportJson(report: EvaluationReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

/** Options for {@link writeReport}. */
export interface WriteReportOptions extends Omit<MarkdownReportOptions, "charts"> {
  /** Training metrics for a loss curve: points, or the path of a metrics JSONL file. */
  metrics?: readonly MetricsPoint[] | string;
}

/** Paths written by {@link writeReport}. */
export interface WrittenReport {
  /** `report.json`. */
  json: string;
  /** `report.md`. */
  markdown: string;
  /** SVG charts written (`categories.svg`, `loss.svg`). */
  charts: string[];
}

/**
 * Writes `report.json`, `report.md` and SVG charts (per-category bars of the primary metric, and a loss
 * curve when metrics are given) into `dir`; the Markdown links the charts by relative path.
 *
 * @param dir - output directory (created when missing).
 * @param report - the evaluation report.
 * @param options - metrics for the loss curve, comparison, gate, title.
 */
export async function writeReport(dir: string, report: EvaluationReport, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const fs = await import("node:fs/promises");
  const { join } = await import("node:path");
  await fs.mkdir(dir, { recursive: true });
  const charts: { alt: string; path: string }[] = [];
  const written: string[] = [];
  const primary = report.metrics[report.primary_metric];
  if (primary && Object.keys(primary.by_category).length > 0) {
    const bars = Object.entries(primary.by_category).map(([k, g]) => [k, g.mean] as const);
    await fs.writeFile(join(dir, "categories.svg"), barChartSvg(bars, { title: `${report.primary_metric} by category` }));
    charts.push({ alt: `${report.primary_metric} by category`, path: "categories.svg" });
    written.push(join(dir, "categories.svg"));
  }
  if (options.metrics !== undefined) {
    const points = typeof options.metrics === "string" ? parseMetricsJsonl(await fs.readFile(options.metrics, "utf8")) : options.metrics;
    await fs.writeFile(join(dir, "loss.svg"), lineChartSvg(points, { title: "training loss" }));
    charts.push({ alt: "training loss", path: "loss.svg" });
    written.push(join(dir, "loss.svg"));
  }
  const { metrics: _metrics, ...md } = options;
  const json = join(dir, "report.json");
  const markdown = join(dir, "report.md");
  await fs.writeFile(json, renderReportJson(report));
  await fs.writeFile(markdown, renderReportMarkdown(report, { ...md, charts }));
  return { json, markdown, charts: written };
}

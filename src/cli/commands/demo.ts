import { availableParallelism } from "node:os";
import { int, flag, str } from "../args.js";
import type { Command } from "../context.js";
import { fullDemoPlan, quickDemoPlan, runDemo, type DemoSummary } from "../demo.js";

/** Default optimizer steps of the full demo (see docs/demo.md for the measurements behind it). */
export const DEMO_STEPS = 4800;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The closing summary of a demo run. */
export function demoSummaryLines(s: DemoSummary): string[] {
  return [
    "",
    `tunix-rt demo — ${s.eval_set.name} (${s.eval_set.items} held-out problems), backend ${s.backend} (${s.kernels} kernels)`,
    `  exact answers   ${pct(s.before.exact)} untrained → ${pct(s.after.exact)} trained  (${s.gain_points >= 0 ? "+" : ""}${s.gain_points} points${s.significant ? ", significant" : ""})`,
    `  well-formed     ${pct(s.before.well_formed)} → ${pct(s.after.well_formed)}`,
    `  training        ${s.training.steps} steps on ${s.dataset.splits.train ?? s.dataset.traces} traces, final loss ${s.training.final_loss?.toFixed(3) ?? "-"}`,
    `  wall time       ${s.wall_s.total}s (generate ${s.wall_s.generate ?? 0}s, build ${s.wall_s.build ?? 0}s, eval before ${s.wall_s.eval_before ?? 0}s, train ${s.wall_s.train ?? 0}s, eval after ${s.wall_s.eval_after ?? 0}s)`,
    `  cpu time        ${s.cpu_s.total}s (train ${s.cpu_s.train ?? 0}s on ${s.training.workers} replica${s.training.workers === 1 ? "" : "s"})`,
    `  report          ${s.report.markdown}`,
  ];
}

/** `tunix-rt demo`: the whole library in one command. */
export const demoCommand: Command = {
  name: "demo",
  summary: "generate → store → build → train → evaluate before/after → report, in one command",
  usage: "[--quick] [--dir ./tunix-rt-demo] [--steps N]",
  maxPositionals: 0,
  options: {
    quick: { type: "boolean", help: "sub-minute smoke run (nano model, a few steps, 12 eval items)" },
    dir: { type: "string", placeholder: "DIR", help: "working directory", default: "./tunix-rt-demo" },
    store: { type: "string", placeholder: "URI", help: "trace store (default sqlite:<dir>/traces.db)" },
    steps: { type: "string", placeholder: "N", help: "training steps", default: String(DEMO_STEPS) },
    traces: { type: "string", placeholder: "N", help: "training traces to generate", default: "80000" },
    "eval-set": { type: "string", placeholder: "SET", help: "held-out eval set", default: "arithmetic-v1" },
    "eval-limit": { type: "string", placeholder: "N", help: "only N eval items, spread evenly over the set" },
    fresh: { type: "boolean", help: "retrain from scratch instead of resuming from the newest checkpoint" },
    workers: { type: "string", placeholder: "N", help: "data-parallel training replicas (default: the number of cores; 1 with --quick)" },
  },
  details:
    "Everything stays in --dir: traces.db (SQLite), datasets/, run/ (checkpoints, metrics.jsonl), eval-before/,\n" +
    "eval-after/, report/ (report.md, report.json, loss.svg) and demo-summary.json. Ctrl-C during training\n" +
    "saves a checkpoint; running the demo again resumes.",
  async run(ctx, args) {
    const dir = ctx.path(str(args, "dir") ?? "./tunix-rt-demo");
    const base = flag(args, "quick") ? quickDemoPlan(dir) : fullDemoPlan(dir, int("demo", args, "steps", { min: 1 }) ?? DEMO_STEPS);
    const steps = int("demo", args, "steps", { min: 1 });
    const traces = int("demo", args, "traces", { min: 10, max: 10_000_000 });
    const evalLimit = int("demo", args, "eval-limit", { min: 1 });
    const plan = {
      ...base,
      storeUri: str(args, "store") ?? `sqlite:${dir}/traces.db`,
      fresh: flag(args, "fresh"),
      workers: int("demo", args, "workers", { min: 1, max: 64 }) ?? (flag(args, "quick") ? 1 : availableParallelism()),
      ...(traces !== undefined ? { traces } : {}),
      ...(evalLimit !== undefined ? { evalLimit } : {}),
      evalSet: str(args, "eval-set") ?? base.evalSet,
    };
    if (steps !== undefined) plan.train = { ...plan.train, schedule: { ...plan.train.schedule, maxSteps: steps } };
    const summary = await runDemo(ctx, plan);
    ctx.out.result(summary, demoSummaryLines(summary));
  },
};

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { cli, tempDir } from "./helpers.js";

describe("tunix-rt demo --quick", () => {
  it("runs the whole pipeline, writes the report, and a rerun resumes instead of redoing", async () => {
    const dir = tempDir();
    const r = await cli(dir, "demo", "--quick", "--json");
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ eval_set: { name: "arithmetic-v1", items: 12 }, training: { steps: 12, resumed_from: null } });
    expect(s.dataset.splits.train + s.dataset.splits.val).toBe(400);
    expect(s.before.exact).toBe(0); // an untrained model
    for (const f of ["report/report.md", "report/report.json", "report/loss.svg", "demo-summary.json", "traces.db", "eval-before/records.jsonl"]) {
      expect(existsSync(join(dir, "tunix-rt-demo", f)), f).toBe(true);
    }
    expect(readFileSync(join(dir, "tunix-rt-demo/report/loss.svg"), "utf8")).toMatch(/^<svg/);
    const md = readFileSync(join(dir, "tunix-rt-demo/report/report.md"), "utf8");
    expect(md).toContain("Change from the previous run");
    expect(r.stderr).toMatch(/\[1\/6\] generating 400 arithmetic traces/);

    const again = await cli(dir, "demo", "--quick", "--json");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("store already holds 400 traces");
    expect(again.stderr).toContain("untrained baseline: reusing");
    expect(JSON.parse(again.stdout).training).toMatchObject({ steps: 12, resumed_from: 12 });
  }, 180_000);

  it("train: Ctrl-C writes a checkpoint and exits 130; rerunning resumes from it", async () => {
    const dir = tempDir();
    const store = ["--store", "sqlite:t.db"];
    expect((await cli(dir, "generate", "--count", "120", "--mix", "arithmetic", ...store)).code).toBe(0);
    expect((await cli(dir, "build", "--name", "a", "--splits", "train=0.9,val=0.1", ...store)).code).toBe(0);
    const argv = ["train", "datasets/a-v1.manifest.json", "--steps", "30", "--preset", "nano", "--batch-size", "4", "--workers", "1", "--out", "run", ...store];
    // interrupt as soon as the first step is in the metrics file, as a Ctrl-C would
    const controller = new AbortController();
    const poll = setInterval(() => {
      const m = join(dir, "run/metrics.jsonl");
      if (existsSync(m) && readFileSync(m, "utf8").includes('"type":"step"')) controller.abort();
    }, 20);
    let stderr = "";
    const code = await runCli(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false, cwd: dir, env: {}, signal: controller.signal });
    clearInterval(poll);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/training interrupted at step (\d+)\/30; checkpoint saved in .*run\/checkpoints — run the same command again to resume/);
    const stoppedAt = Number(/interrupted at step (\d+)/.exec(stderr)![1]);
    expect(stoppedAt).toBeLessThan(30);
    expect(readdirSync(join(dir, "run/checkpoints"))).toContain(`step-${String(stoppedAt).padStart(9, "0")}`);
    const resumed = await cli(dir, ...argv, "--json");
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ steps: 30, stop_reason: "max_steps", resumed_from: stoppedAt });
    // the checkpoint evaluates through the CLI
    const ev = await cli(dir, "eval", "--checkpoint", "run/checkpoints", "--limit", "4", "--max-new-tokens", "16", "--out", "ev", "--json");
    expect(ev.code, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout).metrics).toHaveProperty("exact_answer");
  }, 180_000);
});

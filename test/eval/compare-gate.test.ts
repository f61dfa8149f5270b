import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkBaseline,
  compareRuns,
  createMemoryArtifactStore,
  createMemoryBaselineStore,
  deltaPercent,
  evaluate,
  isTunixError,
  loadBaseline,
  loadEvalSet,
  openDirBaselineStore,
  regressionGate,
  saveBaseline,
  type EvalItem,
  type EvaluationReport,
  type TunixError,
} from "../../src/index.js";

async function run(rightIds: (i: number) => boolean, n = 40, seed = 1): Promise<EvaluationReport> {
  const items: EvalItem[] = Array.from({ length: n }, (_, i) => ({
    id: `q${String(i).padStart(2, "0")}`,
    prompt: `p${i}`,
    expected_answer: String(i),
    category: i % 2 === 0 ? "even" : "odd",
  }));
  const evalSet = await loadEvalSet(items, { name: "cmp" });
  return evaluate({
    evalSet,
    seed,
    bootstrapResamples: 1000,
    generate: async (_p, item) => {
      const i = Number(item.expected_answer);
      return `Answer: ${rightIds(i) ? i : i + 1}`;
    },
  });
}

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<TunixError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (isTunixError(e)) return e;
    throw e;
  }
  throw new Error("expected a TunixError");
}

describe("regressionGate keeps the Python semantics", () => {
  it("80 → 85 passes with delta 5.0 and +6.25 %", () => {
    const r = regressionGate(85, 80, { metric: "score" });
    expect(r).toMatchObject({ verdict: "pass", passed: true, delta: 5, delta_percent: 6.25, lower_is_better: false });
    expect(r.details).toBe("Threshold: drop <= 5%. Actual change: 6.25%");
  });

  it("90 → 70 fails with −22.22 %", () => {
    const r = regressionGate({ score: 70 }, { score: 90 }, { metric: "score" });
    expect(r).toMatchObject({ verdict: "fail", passed: false, delta: -20, delta_percent: -22.22 });
    expect(r.details).toBe("Threshold: drop > 5%. Actual change: -22.22%");
  });

  it("tolerance edges, lower-is-better, name heuristic and zero baselines", () => {
    expect(regressionGate(95, 100).verdict).toBe("pass"); // exactly -5 %
    expect(regressionGate(94.9, 100).verdict).toBe("fail");
    expect(regressionGate(94.9, 100, { tolerancePct: 10 }).verdict).toBe("pass");
    expect(regressionGate({ eval_loss: 1.2 }, { eval_loss: 1.0 }, { metric: "eval_loss" })).toMatchObject({ lower_is_better: true, verdict: "fail" });
    expect(regressionGate({ eval_loss: 0.9 }, { eval_loss: 1.0 }, { metric: "eval_loss" }).verdict).toBe("pass");
    expect(regressionGate(1.2, 1.0, { lowerIsBetter: false }).verdict).toBe("pass");
    expect(regressionGate(0, 0).delta_percent).toBe(0);
    expect(regressionGate(0.1, 0).delta_percent).toBe(100);
    expect(regressionGate(-0.1, 0)).toMatchObject({ delta_percent: -100, verdict: "fail" });
    expect(deltaPercent(80, 85)).toBe(6.25);
  });

  it("gates two reports on the primary metric mean", async () => {
    const before = await run((i) => i % 4 !== 0); // 30/40
    const after = await run((i) => i % 8 !== 0); // 35/40
    const r = regressionGate(after, before);
    expect(r).toMatchObject({ metric_name: "exact_answer", baseline_value: 0.75, current_value: 0.875, verdict: "pass" });
    expect(regressionGate(before, after).verdict).toBe("fail");
  });

  it("names a missing metric and a bad tolerance", async () => {
    expect((await errorOf(() => regressionGate({ a: 1 }, { b: 1 }, { metric: "a" }))).message).toBe(
      'regressionGate: metric "a" not found in the baseline run',
    );
    expect((await errorOf(() => regressionGate(1, 1, { tolerancePct: -1 }))).code).toBe("INVALID_ARGUMENT");
  });
});

describe("compareRuns", () => {
  it("reports deltas, flips both ways and a significant paired change", async () => {
    const a = await run((i) => i < 20); // 20/40
    const b = await run((i) => i < 36 && i !== 5); // 35/40: 5 broke, 20..35 fixed
    const c = compareRuns(a, b);
    const m = c.metrics.exact_answer!;
    expect(c.same_eval_set).toBe(true);
    expect(m.a).toBe(0.5);
    expect(m.b).toBe(0.875);
    expect(m.delta).toBe(0.375);
    expect(m.delta_pct).toBe(75);
    expect(m.right_to_wrong).toEqual(["q05"]);
    expect(m.wrong_to_right).toEqual(Array.from({ length: 16 }, (_, k) => `q${20 + k}`));
    expect(m.paired_n).toBe(40);
    expect(m.paired_mean_delta).toBe(0.375);
    expect(m.significant).toBe(true);
    expect(m.paired_ci.low).toBeGreaterThan(0);
    expect(m.outside_a_ci).toBe(true);
    expect(m.by_category.even).toEqual({ a: 0.5, b: 0.9, delta: 0.9 - 0.5 });
    expect(c.metrics.format_compliance!.delta).toBe(0);
  });

  it("calls a one-item flip noise and is deterministic", async () => {
    const a = await run((i) => i % 2 === 0);
    const b = await run((i) => i % 2 === 0 || i === 1);
    const c1 = compareRuns(a, b, { seed: 3 });
    const c2 = compareRuns(a, b, { seed: 3 });
    expect(c1).toEqual(c2);
    expect(c1.metrics.exact_answer!.significant).toBe(false);
    expect(c1.metrics.exact_answer!.wrong_to_right).toEqual(["q01"]);
  });

  it("pairs only shared items and names a missing metric", async () => {
    const a = await run(() => true, 10);
    const b = await run(() => true, 12);
    const c = compareRuns(a, b);
    expect(c.same_eval_set).toBe(false);
    expect(c.only_in_b).toEqual(["q10", "q11"]);
    expect(c.metrics.exact_answer!.paired_n).toBe(10);
    expect((await errorOf(() => compareRuns(a, b, { metrics: ["nope"] }))).code).toBe("EVAL_ERROR");
  });
});

describe("named baselines", () => {
  it("round-trip through a directory, replace by name, list and delete", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "tunix-baselines-")), "baselines");
    const store = openDirBaselineStore(dir);
    const before = await run((i) => i < 30);
    await saveBaseline(store, "gemma-v1-initial", before, { now: () => new Date("2026-01-01T00:00:00Z") });
    expect(readdirSync(dir)).toEqual(["gemma-v1-initial.baseline.json"]);
    const loaded = await loadBaseline(store, "gemma-v1-initial");
    expect(loaded.report).toEqual(before);
    expect(loaded).toMatchObject({ name: "gemma-v1-initial", saved_at: "2026-01-01T00:00:00.000Z", metric: null, report_key: null });
    const worse = await run((i) => i < 20);
    expect((await checkBaseline(store, "gemma-v1-initial", worse)).verdict).toBe("fail");
    await saveBaseline(store, "gemma-v1-initial", worse);
    expect((await checkBaseline(store, "gemma-v1-initial", worse)).verdict).toBe("pass");
    expect(await store.list()).toEqual(["gemma-v1-initial"]);
    expect(await store.delete("gemma-v1-initial")).toBe(true);
    expect((await errorOf(loadBaseline(store, "gemma-v1-initial"))).code).toBe("NOT_FOUND");
  });

  it("keep report bodies in an ArtifactStore (content-addressed) and the saved metric/direction", async () => {
    const artifacts = createMemoryArtifactStore();
    const store = createMemoryBaselineStore({ artifacts });
    const r = await run((i) => i < 30);
    await saveBaseline(store, "b1", r, { metric: "format_compliance", lowerIsBetter: false });
    const entry = await loadBaseline(store, "b1");
    expect(entry.report_key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await artifacts.has(entry.report_key!)).toBe(true);
    expect(entry.report).toEqual(r);
    expect((await checkBaseline(store, "b1", r)).metric_name).toBe("format_compliance");
  });

  it("refuse unsafe names, invalid reports and unknown metrics", async () => {
    const store = createMemoryBaselineStore();
    const r = await run(() => true, 3);
    expect((await errorOf(saveBaseline(store, "../etc", r))).code).toBe("UNSAFE_NAME");
    expect((await errorOf(saveBaseline(store, "ok", { ...r, metrics: "x" } as never))).code).toBe("EVAL_ERROR");
    expect((await errorOf(saveBaseline(store, "ok", r, { metric: "nope" }))).message).toBe('saveBaseline: metric "nope" is not in the report');
  });
});

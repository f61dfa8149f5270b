import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  barChartSvg,
  checkContamination,
  compareRuns,
  createMemoryStore,
  evaluate,
  GEMMA_TEMPLATE_SHA256,
  gemmaTemplateIdentity,
  isTunixError,
  lineChartSvg,
  loadEvalSet,
  normalizePrompt,
  parseEvaluationManifest,
  parseMetricsJsonl,
  regressionGate,
  renderReportJson,
  renderReportMarkdown,
  reportToManifest,
  writeReport,
  type EvalItem,
  type EvaluationReport,
} from "../../src/index.js";
import { hasReference, referencePath } from "../helpers/reference.js";

async function report(right: (i: number) => boolean, extra: { template?: "gemma3"; hash?: string } = {}): Promise<EvaluationReport> {
  const items: EvalItem[] = Array.from({ length: 12 }, (_, i) => ({
    id: `r${String(i).padStart(2, "0")}`,
    prompt: `What is ${i} | ${i}?`,
    expected_answer: String(i),
    category: ["a", "b", "c"][i % 3]!,
    section: "core",
    difficulty: "easy",
  }));
  return evaluate({
    evalSet: await loadEvalSet(items, { name: "rep" }),
    seed: 5,
    bootstrapResamples: 200,
    ...(extra.template ? { template: extra.template } : {}),
    ...(extra.hash ? { model: { name: "tiny", hash: extra.hash } } : {}),
    now: () => new Date("2026-02-03T04:05:06Z"),
    generate: async (_p, item) => {
      const i = Number(item.expected_answer);
      return `Reasoning:\n1. Look.\nAnswer: ${right(i) ? i : -1}`;
    },
  });
}

describe("Markdown and SVG reports", () => {
  it("renders metadata, metrics with CIs, group tables, comparison and gate", async () => {
    const a = await report((i) => i < 6);
    const b = await report((i) => i < 9, { template: "gemma3", hash: "cd".repeat(32) });
    const md = renderReportMarkdown(b, { comparison: compareRuns(a, b), gate: regressionGate(b, a), charts: [{ alt: "loss", path: "loss.svg" }] });
    expect(md).toContain("# Evaluation: rep");
    expect(md).toContain(`| eval set sha256 | \`${b.eval_set.sha256}\` |`);
    expect(md).toContain("| chat template | gemma3 `7de1c58e208eda46e9c7f86397df37ec49883aeece39fb961e0a6b24088dd3c4` |");
    expect(md).toContain("| exact_answer (primary) | 75.0% |");
    expect(md).toContain("## exact_answer by category");
    expect(md).toContain("| a | 75.0% | 4 |");
    expect(md).toContain("| exact_answer | 50.0% | 75.0% | +0.25 | +50.00% |");
    expect(md).toContain("- exact_answer wrong → right (3): `r06`, `r07`, `r08`");
    expect(md).not.toContain("right → wrong");
    expect(md).toContain("**Regression gate: PASS**");
    expect(md).toContain("![loss](loss.svg)");
    expect(md).toContain("| answer_line | 12 |");
    expect(md).not.toContain("| last_number |");
  });

  it("Markdown layout is pinned", async () => {
    const r = await report((i) => i % 3 !== 2, { template: "gemma3", hash: "0".repeat(64) });
    const md = renderReportMarkdown(r).replace(r.eval_set.sha256, "<sha>").replace(`tunix-rt ${r.library.version}`, "tunix-rt <version>");
    expect(md).toMatchInlineSnapshot(`
      "# Evaluation: rep

      | | |
      |---|---|
      | eval set | rep (12 items) |
      | eval set sha256 | \`<sha>\` |
      | model | tiny \`0000000000000000000000000000000000000000000000000000000000000000\` |
      | chat template | gemma3 \`7de1c58e208eda46e9c7f86397df37ec49883aeece39fb961e0a6b24088dd3c4\` |
      | seed | 5 |
      | library | tunix-rt <version> |
      | created | 2026-02-03T04:05:06.000Z |

      ## Metrics

      | metric | mean | 95% CI | std | min | max | n |
      |---|---|---|---|---|---|---|
      | exact_answer (primary) | 66.7% | 33.3% – 91.7% | 0.4714 | 0 | 1 | 12 |
      | format_compliance | 100.0% | 100.0% – 100.0% | 0 | 1 | 1 | 12 |

      ## exact_answer by section

      | section | mean | n |
      |---|---|---|
      | core | 66.7% | 12 |

      ## exact_answer by category

      | category | mean | n |
      |---|---|---|
      | a | 100.0% | 4 |
      | b | 100.0% | 4 |
      | c | 0.0% | 4 |

      ## exact_answer by difficulty

      | difficulty | mean | n |
      |---|---|---|
      | easy | 66.7% | 12 |

      ## Answer extraction

      | method | items |
      |---|---|
      | answer_line | 12 |
      "
    `);
  });

  it("writes report.json, report.md and SVG charts linked from the Markdown", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tunix-report-"));
    const metricsPath = join(dir, "metrics.jsonl");
    const lines = Array.from({ length: 20 }, (_, s) => JSON.stringify({ step: s * 10, loss: 3 / (s + 1), lr: 0.001, note: "x" }));
    writeFileSync(metricsPath, lines.join("\n") + "\n");
    const r = await report((i) => i % 2 === 0);
    const out = await writeReport(join(dir, "out"), r, { metrics: metricsPath });
    expect(out.charts.map((p) => p.split("/").pop())).toEqual(["categories.svg", "loss.svg"]);
    const md = readFileSync(out.markdown, "utf8");
    expect(md).toContain("![exact_answer by category](categories.svg)");
    expect(md).toContain("![training loss](loss.svg)");
    expect(readFileSync(out.json, "utf8")).toBe(renderReportJson(r));
    expect(JSON.parse(readFileSync(out.json, "utf8"))).toEqual(r);
    const loss = readFileSync(join(dir, "out", "loss.svg"), "utf8");
    expect(loss.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(loss).toContain("<polyline");
    expect(loss.trim().endsWith("</svg>")).toBe(true);
  });

  it("SVG helpers escape labels and handle empty and flat data", () => {
    const bars = barChartSvg([["<b>&", 0.5], ["x", 2]], { title: "t\"" });
    expect(bars).toContain("&lt;b&gt;&amp;");
    expect(bars).toContain("t&quot;");
    expect(lineChartSvg([])).toContain("no data");
    expect(lineChartSvg([{ step: 1, loss: 2 }])).toContain("<polyline");
    expect(parseMetricsJsonl('{"step":1,"loss":2,"tag":"a"}\n\n{"step":2,"loss":1}')).toEqual([{ step: 1, loss: 2 }, { step: 2, loss: 1 }]);
    for (const bad of ['{"loss":1}', "{oops"]) {
      try {
        parseMetricsJsonl(`{"step":0,"loss":1}\n${bad}`);
        expect.unreachable();
      } catch (e) {
        expect(isTunixError(e, "JSONL_INVALID")).toBe(true);
        expect((e as Error).message).toMatch(/^metrics line 2: /);
      }
    }
  });
});

describe("evaluation manifests and template identity", () => {
  it("reportToManifest builds a valid EvaluationManifest", async () => {
    const r = await report((i) => i < 6, { template: "gemma3", hash: "ef".repeat(32) });
    const m = reportToManifest(r, { evalId: "eval-001", trainingRunId: "run-1" });
    expect(parseEvaluationManifest(JSON.parse(JSON.stringify(m)))).toMatchObject({ eval_id: "eval-001" });
    expect(m).toMatchObject({ eval_set_sha256: r.eval_set.sha256, template_hash: GEMMA_TEMPLATE_SHA256.gemma3, model_hash: "ef".repeat(32), seed: 5 });
    expect(m.metrics.exact_answer).toBe(0.5);
    expect(m.per_category?.a?.exact_answer).toBe(0.5);
  });

  it("reportToManifest names missing hashes", async () => {
    const r = await report(() => true);
    try {
      reportToManifest(r, { evalId: "e" });
      expect.unreachable();
    } catch (e) {
      expect(isTunixError(e, "MANIFEST_INVALID")).toBe(true);
      expect((e as Error).message).toContain("template_hash");
      expect((e as Error).message).toContain("model_hash");
    }
  });

  it.skipIf(!hasReference)("template hashes equal the official template files", () => {
    for (const name of ["gemma2", "gemma3"] as const) {
      const text = readFileSync(referencePath("gemma", `${name}.jinja`));
      expect(createHash("sha256").update(text).digest("hex")).toBe(gemmaTemplateIdentity(name).hash);
    }
    expect(() => gemmaTemplateIdentity("gemma9" as never)).toThrow(/Unknown Gemma template/);
  });
});

describe("checkContamination", () => {
  const items: EvalItem[] = [
    { id: "e1", prompt: "What is 15 + 27?", expected_answer: "42" },
    { id: "e2", prompt: "What is the capital of France?", expected_answer: "Paris" },
    { id: "e3", prompt: "What is 15 - 27?", expected_answer: "-12" },
  ];

  it("matches normalized prompts across record shapes", async () => {
    const set = await loadEvalSet(items);
    async function* data() {
      yield { id: "t1", trace_version: "1.0", prompt: "  what is 15 + 27 ", final_answer: "42", steps: [] };
      yield { id: "s1", trace: { prompt: "WHAT IS THE CAPITAL OF FRANCE." } };
      yield { messages: [{ role: "system", content: "x" }, { role: "user", content: "What is 15 + 27?" }] };
      yield "unrelated prompt";
      yield { nothing: true };
    }
    const r = await checkContamination(set, data());
    expect(r).toMatchObject({ eval_items: 3, records_scanned: 5, records_skipped: 1, mode: "exact", rate: 2 / 3 });
    expect(r.contaminated).toEqual([
      { item_id: "e1", prompt: "What is 15 + 27?", matches: [{ index: 0, id: "t1" }, { index: 2, id: null }] },
      { item_id: "e2", prompt: "What is the capital of France?", matches: [{ index: 1, id: "s1" }] },
    ]);
    expect(normalizePrompt("What is 15 - 27?")).not.toBe(normalizePrompt("What is 15 + 27?"));
  });

  it("reads rendered Gemma prompts, and finds prompts inside longer text in contains mode", async () => {
    const set = await loadEvalSet(items);
    const rendered = { prompt: "<bos><start_of_turn>user\nWhat is the capital of France?<end_of_turn>\n<start_of_turn>model\n", completion: "Paris" };
    expect((await checkContamination(set, [rendered])).contaminated.map((c) => c.item_id)).toEqual(["e2"]);
    const text = { text: "Q: What is the capital of France? A: Paris" };
    expect((await checkContamination(set, [text])).contaminated).toEqual([]);
    expect((await checkContamination(set, [text], { mode: "contains" })).contaminated.map((c) => c.item_id)).toEqual(["e2"]);
  });

  it("reads a TraceStore through stream() and names bad data", async () => {
    const set = await loadEvalSet(items);
    const store = createMemoryStore();
    await store.put({ trace_version: "1.0", prompt: "What is 15 × 27?", final_answer: "405", steps: [{ i: 0, type: "calc", content: "15 × 27 = 405" }] }, { id: "t9" });
    const r = await checkContamination(set, store);
    expect(r.contaminated).toEqual([]); // inner symbols are kept: "15 × 27" is not "15 - 27"
    await store.put({ trace_version: "1.0", prompt: "what is 15 - 27 ?", final_answer: "-12", steps: [{ i: 0, type: "calc", content: "x" }] }, { id: "t10" });
    expect((await checkContamination(set, store)).contaminated).toEqual([{ item_id: "e3", prompt: "What is 15 - 27?", matches: [{ index: 1, id: "t10" }] }]);
    await expect(checkContamination(set, 42 as never)).rejects.toThrow(/data must be an iterable/);
    await expect(checkContamination(set, [], { mode: "fuzzy" as never })).rejects.toThrow(/mode must be "exact" or "contains"/);
  });

  it.skipIf(!hasReference)("eval_v2 against the shipped dev-reasoning-v2 dataset", async () => {
    const set = await loadEvalSet(referencePath("tunix-rt", "eval_v2.jsonl"));
    const lines = readFileSync(referencePath("tunix-rt", "dev-reasoning-v2.dataset.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const r = await checkContamination(set, lines);
    expect(r.records_scanned).toBe(550);
    // Recorded figure (see the issue report): how many eval_v2 prompts occur verbatim in the training data.
    expect(r.contaminated.length).toMatchInlineSnapshot(`0`);
  });
});

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  baselineScore,
  customScorer,
  evaluate,
  exactAnswer,
  formatCompliance,
  isTunixError,
  loadEvalSet,
  parseEvaluationReport,
  parseRecordsJsonl,
  type EvalItem,
  type EvalSet,
  type EvaluateOptions,
  type TunixError,
} from "../../src/index.js";
import { createRng, shuffled } from "../../src/internal/rng.js";

const CATS = ["arithmetic", "knowledge", "geometry"];
const DIFFS = ["easy", "medium", "hard"];

async function makeSet(n = 30): Promise<EvalSet> {
  const items: EvalItem[] = [];
  for (let i = 0; i < n; i++) {
    items.push({
      id: `item-${String(i).padStart(3, "0")}`,
      prompt: `What is ${i} + ${i}?`,
      expected_answer: String(2 * i),
      category: CATS[i % 3]!,
      section: i < n / 2 ? "core" : "edge_case",
      difficulty: DIFFS[i % 3]!,
    });
  }
  return loadEvalSet(items, { name: "fake" });
}

/** Right when i % 4 != 3; well-formed when i is even. */
function fakeResponse(prompt: string): string {
  const i = Number(/What is (\d+)/.exec(prompt)![1]);
  const answer = i % 4 === 3 ? 2 * i + 1 : 2 * i;
  return i % 2 === 0 ? `Reasoning:\n1. Double ${i}.\nAnswer: ${answer}<end_of_turn>` : `I think it is ${answer}`;
}

async function errorOf(p: Promise<unknown>): Promise<TunixError> {
  try {
    await p;
  } catch (e) {
    if (isTunixError(e)) return e;
    throw e;
  }
  throw new Error("expected a TunixError");
}

const base = (evalSet: EvalSet, extra: Partial<EvaluateOptions> = {}): EvaluateOptions => ({
  evalSet,
  generate: async (prompt) => fakeResponse(prompt),
  seed: 7,
  bootstrapResamples: 500,
  now: () => new Date("2026-01-01T00:00:00Z"),
  ...extra,
});

describe("evaluate with a fixed fake generator", () => {
  it("gives the known report", async () => {
    const set = await makeSet(30);
    const report = await evaluate(base(set, { model: { name: "fake", hash: "ab".repeat(32) }, template: "gemma3", generationOptions: { temperature: 0 } }));
    // 30 items: wrong ones are i % 4 == 3 → 7 items (3, 7, ..., 27); well-formed are the 15 even ones.
    expect(report.metrics.exact_answer!.mean).toBe(23 / 30);
    expect(report.metrics.format_compliance!.mean).toBe(0.5);
    expect(report.primary_metric).toBe("exact_answer");
    expect(report.extraction_counts).toEqual({ answer_line: 15, last_number: 15 });
    const ea = report.metrics.exact_answer!;
    expect(ea.n).toBe(30);
    expect(ea.min).toBe(0);
    expect(ea.max).toBe(1);
    expect(ea.std).toBeCloseTo(Math.sqrt((23 / 30) * (7 / 30)), 12);
    expect(ea.ci95.low).toBeLessThanOrEqual(ea.mean);
    expect(ea.ci95.high).toBeGreaterThanOrEqual(ea.mean);
    expect(ea.ci95.high).toBeLessThanOrEqual(1);
    // arithmetic = i % 3 == 0 → i in {0,3,...,27}: wrong are 3, 15, 27 → 7/10.
    expect(ea.by_category).toEqual({ arithmetic: { n: 10, mean: 0.7 }, geometry: { n: 10, mean: 0.8 }, knowledge: { n: 10, mean: 0.8 } });
    expect(Object.keys(ea.by_section)).toEqual(["core", "edge_case"]);
    expect(report.eval_set).toEqual({ name: "fake", sha256: set.sha256, fingerprint: set.fingerprint, item_count: 30 });
    expect(report.template).toEqual({ name: "gemma3", hash: "7de1c58e208eda46e9c7f86397df37ec49883aeece39fb961e0a6b24088dd3c4" });
    expect(report.model).toEqual({ name: "fake", hash: "ab".repeat(32) });
    expect(report.library).toEqual({ name: "tunix-rt", version: JSON.parse(readFileSync("package.json", "utf8")).version });
    expect(report.config.generation).toEqual({ temperature: 0 });
    expect(report.created_at).toBe("2026-01-01T00:00:00.000Z");
    expect(report.items.map((i) => i.item_id)).toEqual(set.items.map((i) => i.id));
    // The report survives JSON and validates.
    expect(parseEvaluationReport(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it("streams records as JSONL in eval-set order, with every field", async () => {
    const set = await makeSet(12);
    const dir = mkdtempSync(join(tmpdir(), "tunix-eval-"));
    const path = join(dir, "records.jsonl");
    const seen: string[] = [];
    const chunks: string[] = [];
    await evaluate(
      base(set, {
        recordsPath: path,
        recordsStream: { write: (c: string) => chunks.push(c) },
        concurrency: 4,
        generate: async (prompt) => {
          // Later items finish first.
          const i = Number(/What is (\d+)/.exec(prompt)![1]);
          await new Promise((r) => setTimeout(r, (12 - i) * 2));
          return fakeResponse(prompt);
        },
        onItem: (r, p) => void seen.push(`${r.item_id}:${p.done}/${p.total}`),
      }),
    );
    const records = parseRecordsJsonl(readFileSync(path, "utf8"));
    expect(chunks.join("")).toBe(readFileSync(path, "utf8"));
    expect(records.map((r) => r.item_id)).toEqual(set.items.map((i) => i.id));
    expect(seen[0]).toBe("item-000:1/12");
    expect(seen[11]).toBe("item-011:12/12");
    expect(Object.keys(records[3]!)).toEqual([
      "item_id", "prompt", "expected", "response", "extracted", "extraction_method", "scores", "score_details", "latency_ms", "category", "section", "difficulty",
    ]);
    expect(records[3]).toMatchObject({
      item_id: "item-003",
      prompt: "What is 3 + 3?",
      expected: "6",
      response: "I think it is 7",
      extracted: "7",
      extraction_method: "last_number",
      scores: { exact_answer: 0, format_compliance: 0 },
    });
    expect(typeof records[3]!.latency_ms).toBe("number");
  });

  it("aggregates are bit-identical under shuffled input, concurrency and batching", async () => {
    const set = await makeSet(40);
    const scorers = [exactAnswer(), formatCompliance(), baselineScore()];
    const a = await evaluate(base(set, { scorers }));
    for (const seed of [1, 2, 3]) {
      const items = shuffled(set.items, createRng(seed));
      const shuffledSet = await loadEvalSet(items, { name: "fake" });
      const b = await evaluate(
        base(shuffledSet, {
          scorers,
          concurrency: 3,
          generate: undefined,
          generateBatch: async (prompts) => prompts.map(fakeResponse),
          batchSize: seed + 1,
        }),
      );
      expect(JSON.stringify(b.metrics)).toBe(JSON.stringify(a.metrics));
      expect(b.items).toEqual(a.items);
      expect(b.eval_set.fingerprint).toBe(a.eval_set.fingerprint);
    }
  });

  it("formatPrompt changes what the generator sees and is recorded", async () => {
    const set = await makeSet(2);
    const seen: string[] = [];
    const chunks: string[] = [];
    await evaluate(
      base(set, {
        formatPrompt: (item) => `<start_of_turn>user\n${item.prompt}<end_of_turn>\n<start_of_turn>model\n`,
        generate: async (p, item) => {
          seen.push(p);
          return fakeResponse(item.prompt);
        },
        recordsStream: { write: (c: string) => chunks.push(c) },
      }),
    );
    expect(seen[0]).toBe("<start_of_turn>user\nWhat is 0 + 0?<end_of_turn>\n<start_of_turn>model\n");
    expect(JSON.parse(chunks[0]!).rendered_prompt).toBe(seen[0]);
  });
});

describe("evaluate rejects bad inputs with named errors", () => {
  it("a generator that returns a non-string names the item", async () => {
    const set = await makeSet(3);
    const e = await errorOf(evaluate(base(set, { generate: async () => 42 as unknown as string })));
    expect(e.code).toBe("EVAL_ERROR");
    expect(e.message).toMatchInlineSnapshot(`"evaluate: generator returned the number 42 for item "item-000"; expected a string"`);
    const n = await errorOf(evaluate(base(set, { generate: async () => null as unknown as string })));
    expect(n.message).toContain("returned null");
  });

  it("a generator that throws fails the run, or is recorded with onError: record", async () => {
    const set = await makeSet(4);
    const gen = async (p: string) => {
      if (p.includes("2 + 2")) throw new Error("endpoint down");
      return fakeResponse(p);
    };
    const e = await errorOf(evaluate(base(set, { generate: gen })));
    expect(e.message).toMatchInlineSnapshot(`"evaluate: generator failed on item "item-002": endpoint down"`);
    const r = await evaluate(base(set, { generate: gen, onError: "record" }));
    expect(r.error_count).toBe(1);
    expect(r.items[2]).toMatchObject({ item_id: "item-002", error: "endpoint down", scores: { exact_answer: 0, format_compliance: 0 } });
    expect(r.metrics.exact_answer!.mean).toBe(0.5); // items 0, 1 right; 2 errored; 3 wrong
  });

  it("a batch generator returning the wrong count", async () => {
    const set = await makeSet(4);
    const e = await errorOf(evaluate(base(set, { generate: undefined, generateBatch: async () => ["x"], batchSize: 2 })));
    expect(e.message).toBe("evaluate: generateBatch returned 1 responses for 2 prompts");
  });

  it("a scorer returning a score outside [0, 1] or throwing", async () => {
    const set = await makeSet(2);
    const e = await errorOf(evaluate(base(set, { scorers: [customScorer("bad", () => 2)] })));
    expect(e.message).toMatchInlineSnapshot(`"evaluate: scorer bad returned the number 2 for item "item-000"; scores must be numbers in [0, 1]"`);
    const t = await errorOf(evaluate(base(set, { scorers: [customScorer("boom", () => { throw new Error("nope"); })] })));
    expect(t.message).toBe('evaluate: scorer boom failed on item "item-000": nope');
  });

  it("bad options", async () => {
    const set = await makeSet(2);
    const codes = await Promise.all([
      errorOf(evaluate(base({ ...set, items: [] }))),
      errorOf(evaluate(base(set, { generateBatch: async (p) => p }))),
      errorOf(evaluate(base(set, { generate: undefined }))),
      errorOf(evaluate(base(set, { seed: undefined as unknown as number }))),
      errorOf(evaluate(base(set, { scorers: [exactAnswer(), exactAnswer()] }))),
      errorOf(evaluate(base(set, { scorers: [customScorer("Bad Name", () => 1)] }))),
      errorOf(evaluate(base(set, { scorers: [] }))),
      errorOf(evaluate(base(set, { concurrency: 0 }))),
      errorOf(evaluate(base(set, { generationOptions: { f: () => 1 } }))),
      errorOf(evaluate({ generate: async () => "" } as unknown as EvaluateOptions)),
    ]);
    expect(codes.map((e) => e.code)).toEqual([
      "EVAL_SET_INVALID", "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT",
      "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT",
    ]);
    expect(codes[0]!.message).toBe('evaluate: eval set "fake" is empty');
    expect(codes[4]!.message).toBe('evaluate: duplicate scorer name "exact_answer"');
  });

  it("an unwritable recordsPath is named before any generation", async () => {
    const set = await makeSet(2);
    let calls = 0;
    const e = await errorOf(evaluate(base(set, { recordsPath: join(tmpdir(), "no-such-dir-tunix", "r.jsonl"), generate: async (p) => (calls++, fakeResponse(p)) })));
    expect(e.code).toBe("EVAL_ERROR");
    expect(e.message).toMatch(/^evaluate: cannot open recordsPath .*no-such-dir-tunix.*r\.jsonl: ENOENT/);
    expect(calls).toBe(0);
  });

  it("an aborted signal stops the run", async () => {
    const set = await makeSet(5);
    const controller = new AbortController();
    const e = await errorOf(
      evaluate(
        base(set, {
          generate: async (p) => {
            controller.abort();
            return fakeResponse(p);
          },
          signal: controller.signal,
        }),
      ),
    );
    expect(e.code).toBe("ABORTED");
  });
});

import { TunixError } from "../errors.js";
import { canonicalJson } from "../internal/canonical-json.js";
import { aggregateItems } from "./aggregate.js";
import { compareIds, type EvalItem, type EvalSet } from "./eval-set.js";
import { EXTRACTION_METHODS, extractAnswer, type ExtractOptions } from "./extract.js";
import { openRecordsFile, recordToJsonl, type EvalRecord, type RecordSink } from "./records.js";
import { EVALUATION_REPORT_VERSION, type EvaluationReport, type ReportItem } from "./report-schema.js";
import { exactAnswer, formatCompliance, type ScoreDetails, type Scorer } from "./scorers.js";
import { DEFAULT_BOOTSTRAP_RESAMPLES, compensatedSum } from "./stats.js";
import { gemmaTemplateIdentity, type TemplateIdentity } from "./template.js";
import type { GemmaTemplate } from "../render/index.js";
import { LIBRARY_VERSION } from "../internal/version.js";

/** A generator for one prompt: any model, local or remote. */
export type GenerateFn = (prompt: string, item: EvalItem) => Promise<string> | string;
/** A batch generator: one response per prompt, in order. */
export type GenerateBatchFn = (prompts: string[], items: EvalItem[]) => Promise<string[]>;

/** Progress passed to `onItem`. */
export interface EvalProgress {
  /** Items finished so far. */
  done: number;
  /** Items in the eval set. */
  total: number;
}

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /** The eval set (from `loadEvalSet`). */
  evalSet: EvalSet;
  /** One-prompt generator. Give this or `generateBatch`. */
  generate?: GenerateFn;
  /** Batch generator, for throughput; called with up to `batchSize` prompts. */
  generateBatch?: GenerateBatchFn;
  /** Prompts per `generateBatch` call (default 8). */
  batchSize?: number;
  /** Turns an item into the text sent to the generator (default: the item's prompt). */
  formatPrompt?: (item: EvalItem) => string;
  /** Scorers; the first is the primary metric (default `[exactAnswer(), formatCompliance()]`). */
  scorers?: readonly Scorer[];
  /** Answer-extraction options. */
  extract?: ExtractOptions;
  /** Generator calls (or batches) in flight at once (default 1). */
  concurrency?: number;
  /** Seed of the bootstrap; recorded in the report (pass the sampling seed too, if you used one). */
  seed: string | number;
  /** Bootstrap resamples (default 2000). */
  bootstrapResamples?: number;
  /** Model identity recorded in the report (e.g. a checkpoint sha256). */
  model?: { name?: string; hash?: string };
  /** Chat template used to render prompts: a built-in name (`gemma3`) or any `{name, hash}`. */
  template?: TemplateIdentity | GemmaTemplate;
  /** Generation settings recorded in the report (temperature, max tokens, ...), plain JSON. */
  generationOptions?: Record<string, unknown>;
  /** Called once per finished item, in eval-set order. */
  onItem?: (record: EvalRecord, progress: EvalProgress) => void | Promise<void>;
  /** Writes per-item records as JSONL to this file (truncated first), in eval-set order. */
  recordsPath?: string;
  /** Writes per-item records as JSONL to this sink, in eval-set order. */
  recordsStream?: RecordSink;
  /** On a generator error: fail the run (default) or record the item with score 0 and go on. */
  onError?: "throw" | "record";
  /** Stops the run; pending items are not started. */
  signal?: AbortSignal;
  /** Clock for `created_at` (default `new Date()`). */
  now?: () => Date;
}

const NAME_RE = /^[a-z][a-z0-9_]*$/;

/**
 * Runs every eval item through a generator, extracts and scores the answers, streams per-item records,
 * and aggregates an {@link EvaluationReport}. Aggregates depend only on the set of (item, response) pairs,
 * never on completion order or eval-set order.
 *
 * @param options - generator, eval set, scorers, seed and outputs.
 * @throws TunixError `INVALID_ARGUMENT` for bad options, `EVAL_ERROR` for a generator that throws or
 *   returns a non-string, or a scorer that returns a score outside [0, 1]; `ABORTED` when the signal fires.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  const started = Date.now();
  const { evalSet } = options;
  if (!evalSet || !Array.isArray(evalSet.items)) throw new TunixError("INVALID_ARGUMENT", "evaluate: evalSet is required (use loadEvalSet)");
  if (evalSet.items.length === 0) throw new TunixError("EVAL_SET_INVALID", `evaluate: eval set ${JSON.stringify(evalSet.name)} is empty`);
  if (!options.generate === !options.generateBatch) {
    throw new TunixError("INVALID_ARGUMENT", "evaluate: give exactly one of generate or generateBatch");
  }
  if (options.seed === undefined || options.seed === null) throw new TunixError("INVALID_ARGUMENT", "evaluate: seed is required");
  const scorers = options.scorers ?? [exactAnswer(), formatCompliance()];
  validateScorers(scorers);
  const generation = plainJson(options.generationOptions);
  const template =
    options.template === undefined
      ? null
      : typeof options.template === "string"
        ? gemmaTemplateIdentity(options.template)
        : { name: options.template.name, hash: options.template.hash };
  const concurrency = options.concurrency ?? 1;
  const batchSize = options.generateBatch ? (options.batchSize ?? 8) : 1;
  for (const [k, v] of [["concurrency", concurrency], ["batchSize", batchSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new TunixError("INVALID_ARGUMENT", `evaluate: ${k} must be a positive integer, got ${v}`);
  }

  const items = evalSet.items;
  const batches: number[][] = [];
  for (let i = 0; i < items.length; i += batchSize) batches.push(range(i, Math.min(items.length, i + batchSize)));

  const file = options.recordsPath ? await openRecordsFile(options.recordsPath) : undefined;
  const sinks = [file?.sink, options.recordsStream].filter((s): s is RecordSink => s !== undefined);
  const finished = new Map<number, EvalRecord>();
  const records: EvalRecord[] = [];
  let nextToEmit = 0;
  // Emission is serialized and in eval-set order whatever order generations finish in.
  let emitChain: Promise<void> = Promise.resolve();
  const emitReady = (): Promise<void> =>
    (emitChain = emitChain.then(async () => {
      while (finished.has(nextToEmit)) {
        const record = finished.get(nextToEmit)!;
        finished.delete(nextToEmit);
        nextToEmit++;
        records.push(record);
        const line = recordToJsonl(record);
        for (const sink of sinks) await sink.write(line);
        await options.onItem?.(record, { done: records.length, total: items.length });
      }
    }));

  const runBatch = async (indices: number[]): Promise<void> => {
    if (options.signal?.aborted) throw new TunixError("ABORTED", "evaluate: aborted");
    const batchItems = indices.map((i) => items[i]!);
    const prompts = batchItems.map((item) => (options.formatPrompt ? options.formatPrompt(item) : item.prompt));
    const t0 = performance.now();
    let responses: unknown[];
    let error: string | undefined;
    try {
      responses = options.generateBatch
        ? await options.generateBatch(prompts, batchItems)
        : [await options.generate!(prompts[0]!, batchItems[0]!)];
    } catch (e) {
      if (options.onError !== "record") {
        throw new TunixError("EVAL_ERROR", `evaluate: generator failed on item ${JSON.stringify(batchItems[0]!.id)}: ${(e as Error)?.message ?? String(e)}`, {
          cause: e,
          details: { item_ids: batchItems.map((i) => i.id) },
        });
      }
      error = (e as Error)?.message ?? String(e);
      responses = batchItems.map(() => "");
    }
    const latency = (performance.now() - t0) / batchItems.length;
    if (!Array.isArray(responses) || responses.length !== batchItems.length) {
      throw new TunixError("EVAL_ERROR", `evaluate: generateBatch returned ${Array.isArray(responses) ? responses.length : typeof responses} responses for ${batchItems.length} prompts`);
    }
    for (let k = 0; k < batchItems.length; k++) {
      const item = batchItems[k]!;
      const response = responses[k];
      if (typeof response !== "string") {
        throw new TunixError("EVAL_ERROR", `evaluate: generator returned ${describe(response)} for item ${JSON.stringify(item.id)}; expected a string`, {
          details: { item_id: item.id },
        });
      }
      const record = await scoreOne(item, response, prompts[k]!, latency, scorers, options.extract, error);
      finished.set(indices[k]!, record);
    }
    await emitReady();
  };

  try {
    await runPool(batches, concurrency, runBatch, options.signal);
    await emitChain;
  } finally {
    await file?.close();
  }

  const reportItems: ReportItem[] = records
    .map((r) => ({
      item_id: r.item_id,
      category: r.category,
      section: r.section,
      difficulty: r.difficulty,
      extraction_method: r.extraction_method,
      extracted: r.extracted,
      scores: r.scores,
      ...(r.error !== undefined ? { error: r.error } : {}),
    }))
    .sort((a, b) => compareIds(a.item_id, b.item_id));
  const names = scorers.map((s) => s.name);
  const resamples = options.bootstrapResamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const extractionCounts: Record<string, number> = {};
  for (const item of reportItems) extractionCounts[item.extraction_method] = (extractionCounts[item.extraction_method] ?? 0) + 1;
  const sortedLatencies = [...records].sort((a, b) => compareIds(a.item_id, b.item_id)).map((r) => r.latency_ms);
  return {
    report_version: EVALUATION_REPORT_VERSION,
    created_at: (options.now ? options.now() : new Date()).toISOString(),
    eval_set: { name: evalSet.name, sha256: evalSet.sha256, fingerprint: evalSet.fingerprint, item_count: items.length },
    template,
    model: { name: options.model?.name ?? null, hash: options.model?.hash ?? null },
    seed: options.seed,
    library: { name: "tunix-rt", version: LIBRARY_VERSION },
    config: {
      scorers: names,
      extraction_methods: [...(options.extract?.methods ?? EXTRACTION_METHODS)],
      bootstrap_resamples: resamples,
      generation,
    },
    primary_metric: names[0]!,
    metrics: aggregateItems(reportItems, names, { seed: options.seed, resamples }),
    extraction_counts: extractionCounts,
    error_count: reportItems.filter((i) => i.error !== undefined).length,
    timing: { wall_ms: Date.now() - started, mean_latency_ms: compensatedSum(sortedLatencies) / sortedLatencies.length },
    items: reportItems,
  };
}

async function scoreOne(
  item: EvalItem,
  response: string,
  prompt: string,
  latency: number,
  scorers: readonly Scorer[],
  extractOptions: ExtractOptions | undefined,
  error: string | undefined,
): Promise<EvalRecord> {
  const extraction = extractAnswer(response, extractOptions);
  const scores: Record<string, number> = {};
  const details: Record<string, ScoreDetails> = {};
  for (const scorer of scorers) {
    let result;
    try {
      result = error !== undefined ? { score: 0 } : await scorer.score({ item, response, extraction });
    } catch (e) {
      throw new TunixError("EVAL_ERROR", `evaluate: scorer ${scorer.name} failed on item ${JSON.stringify(item.id)}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    const s = result?.score;
    if (typeof s !== "number" || !(s >= 0 && s <= 1)) {
      throw new TunixError("EVAL_ERROR", `evaluate: scorer ${scorer.name} returned ${describe(s)} for item ${JSON.stringify(item.id)}; scores must be numbers in [0, 1]`);
    }
    scores[scorer.name] = s;
    if (result.details) details[scorer.name] = result.details;
  }
  return {
    item_id: item.id,
    prompt: item.prompt,
    expected: item.expected_answer,
    response,
    extracted: extraction.answer,
    extraction_method: extraction.method,
    scores,
    score_details: details,
    latency_ms: latency,
    category: item.category ?? null,
    section: item.section ?? null,
    difficulty: item.difficulty ?? null,
    ...(prompt !== item.prompt ? { rendered_prompt: prompt } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

function validateScorers(scorers: readonly Scorer[]): void {
  if (!Array.isArray(scorers) || scorers.length === 0) throw new TunixError("INVALID_ARGUMENT", "evaluate: at least one scorer is required");
  const seen = new Set<string>();
  for (const s of scorers) {
    if (!s || typeof s.score !== "function" || typeof s.name !== "string") {
      throw new TunixError("INVALID_ARGUMENT", "evaluate: every scorer needs a name and a score() function");
    }
    if (!NAME_RE.test(s.name)) throw new TunixError("INVALID_ARGUMENT", `evaluate: scorer name ${JSON.stringify(s.name)} must be snake_case ([a-z][a-z0-9_]*)`);
    if (seen.has(s.name)) throw new TunixError("INVALID_ARGUMENT", `evaluate: duplicate scorer name ${JSON.stringify(s.name)}`);
    seen.add(s.name);
  }
}

async function runPool<T>(tasks: readonly T[], concurrency: number, run: (task: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < tasks.length) {
      if (signal?.aborted) throw new TunixError("ABORTED", "evaluate: aborted");
      const task = tasks[next++]!;
      try {
        await run(task);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, tasks.length) }, worker);
  const results = await Promise.allSettled(workers);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
}

function plainJson(value: Record<string, unknown> | undefined): EvaluationReport["config"]["generation"] {
  if (value === undefined) return null;
  try {
    return JSON.parse(canonicalJson(value)) as EvaluationReport["config"]["generation"];
  } catch (e) {
    throw new TunixError("INVALID_ARGUMENT", `evaluate: generationOptions must be plain JSON: ${(e as Error).message}`, { cause: e });
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return `the number ${value}`;
  return typeof value === "object" ? "an object" : typeof value;
}

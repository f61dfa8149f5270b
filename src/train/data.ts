/**
 * Examples → token batches. Each example is a rendered `{prompt, completion}`; loss is taken only on
 * completion tokens (which end with `<end_of_turn>`, so the model learns to stop). Two batchings:
 *
 * - `"pad"`: length-bucketed padding — shuffle, sort windows of examples by length, cut into batches,
 *   pad each batch to its longest row (rounded up to 8). One example per row, plain causal mask.
 * - `"pack"`: several examples per row of `blockSize` tokens; a block-diagonal mask keeps them from
 *   attending to each other and positions restart at 0 for each (packing that let examples see each
 *   other learned far slower, notes/learning-recipe.md).
 *
 * Order is a pure function of `(seed, epoch)`, so the data cursor `{epoch, batch}` is all a checkpoint
 * needs to continue exactly.
 */
import { TunixError } from "../errors.js";
import { createRng, shuffled } from "../internal/rng.js";
import { SPECIAL_IDS, type Tokenizer } from "./tokenizer.js";
import type { TokenBatch } from "./types.js";

/** A tokenized example: `ids = prompt ++ completion`, supervised from `promptLen` on. */
export interface EncodedExample {
  /** All token ids (prompt then completion). */
  readonly ids: Int32Array;
  /** Number of prompt tokens (not supervised). */
  readonly promptLen: number;
}

/** How over-long examples are cut. */
export type TruncationPolicy = "right" | "left" | "drop";

/** What {@link encodeExamples} kept, cut and dropped. */
export interface EncodeStats {
  /** Examples given. */
  readonly total: number;
  /** Examples kept. */
  readonly kept: number;
  /** Examples shortened to fit. */
  readonly truncated: number;
  /** Examples dropped because no supervised token survived truncation (or `"drop"` policy). */
  readonly dropped: number;
  /** Tokens in kept examples. */
  readonly tokens: number;
  /** Supervised target tokens in kept examples. */
  readonly supervisedTokens: number;
}

/**
 * Tokenizes `{prompt, completion}` pairs. The prompt gets exactly one leading `<bos>`; the completion
 * gets a trailing `<end_of_turn>` when it has none. Sequences longer than `maxTokens` are truncated
 * (`"right"`: drop the end; `"left"`: drop prompt tokens after `<bos>`) or dropped; an example left with
 * no supervised target is dropped and counted, never trained on silently.
 *
 * @param tokenizer - the tokenizer.
 * @param examples - rendered pairs.
 * @param options - `maxTokens` (= blockSize + 1: inputs and shifted targets) and `truncation`.
 */
export function encodeExamples(
  tokenizer: Tokenizer,
  examples: Iterable<{ prompt: string; completion: string }>,
  options: { maxTokens: number; truncation?: TruncationPolicy },
): { examples: EncodedExample[]; stats: EncodeStats } {
  const { maxTokens } = options;
  const policy = options.truncation ?? "right";
  if (!["right", "left", "drop"].includes(policy)) {
    throw new TunixError("TRAIN_CONFIG_INVALID", `data.truncation: expected "right" | "left" | "drop", got ${JSON.stringify(policy)}`);
  }
  const out: EncodedExample[] = [];
  let total = 0;
  let truncated = 0;
  let dropped = 0;
  let tokens = 0;
  let supervised = 0;
  for (const ex of examples) {
    total++;
    if (typeof ex?.prompt !== "string" || typeof ex?.completion !== "string") {
      throw new TunixError("INVALID_ARGUMENT", `examples[${total - 1}]: expected {prompt: string, completion: string}`);
    }
    const p = tokenizer.encode(ex.prompt, { addBos: true });
    const c = tokenizer.encode(ex.completion);
    if (!c.includes(SPECIAL_IDS.endOfTurn)) c.push(SPECIAL_IDS.endOfTurn);
    let ids = [...p, ...c];
    let promptLen = p.length;
    if (ids.length > maxTokens) {
      if (policy === "drop") {
        dropped++;
        continue;
      }
      truncated++;
      if (policy === "right") ids = ids.slice(0, maxTokens);
      else {
        const cut = ids.length - maxTokens;
        ids = [ids[0]!, ...ids.slice(1 + cut)];
        promptLen = Math.max(1, promptLen - cut);
      }
    }
    const sup = ids.length - Math.max(promptLen, 1);
    if (sup <= 0) {
      dropped++;
      continue;
    }
    out.push({ ids: Int32Array.from(ids), promptLen });
    tokens += ids.length;
    supervised += sup;
  }
  return { examples: out, stats: { total, kept: out.length, truncated, dropped, tokens, supervisedTokens: supervised } };
}

/** How rows are filled. */
export type Batching = "pad" | "pack";

/** Rows of one batch as lists of example indices. */
export type RowPlan = number[][];

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/**
 * The batches of one epoch, as row plans (example indices per row). Pure in `(examples, seed, epoch)`.
 *
 * @param examples - encoded examples.
 * @param options - batching, rows per batch, block size, seed and epoch.
 */
export function planEpoch(
  examples: readonly EncodedExample[],
  options: { batching: Batching; batchSize: number; blockSize: number; seed: number | string; epoch: number; shuffle?: boolean },
): RowPlan[] {
  const { batching, batchSize, blockSize } = options;
  const order0 = examples.map((_, i) => i);
  const rng = createRng(`${String(options.seed)}:data:${options.epoch}`);
  const order = options.shuffle === false ? order0 : shuffled(order0, rng);
  const len = (i: number): number => examples[i]!.ids.length - 1;
  const batches: RowPlan[] = [];
  if (batching === "pad") {
    // Sort windows of 32 batches by length so each batch pads little, then shuffle batch order.
    const window = batchSize * 32;
    for (let w = 0; w < order.length; w += window) {
      const chunk = order.slice(w, w + window).sort((a, b) => len(a) - len(b) || a - b);
      const local: RowPlan[] = [];
      for (let i = 0; i < chunk.length; i += batchSize) local.push(chunk.slice(i, i + batchSize).map((e) => [e]));
      batches.push(...(options.shuffle === false ? local : shuffled(local, rng)));
    }
    return batches;
  }
  // pack: first-fit into a small window of open rows (keeps order roughly random, fills rows well).
  const rows: number[][] = [];
  const open: Array<{ row: number[]; used: number }> = [];
  for (const e of order) {
    const need = len(e);
    let slot = open.find((r) => r.used + need <= blockSize);
    if (!slot) {
      if (open.length >= 8) rows.push(open.shift()!.row);
      slot = { row: [], used: 0 };
      open.push(slot);
    }
    slot.row.push(e);
    slot.used += need;
  }
  for (const r of open) rows.push(r.row);
  for (let i = 0; i < rows.length; i += batchSize) batches.push(rows.slice(i, i + batchSize));
  return batches;
}

/**
 * Materialises one planned batch. Pad batches are `[rows, roundUp(longest, 8)]` (capped at blockSize);
 * pack batches are `[rows, blockSize]`.
 *
 * @param examples - encoded examples.
 * @param plan - example indices per row.
 * @param options - batching and block size.
 */
export function buildBatch(
  examples: readonly EncodedExample[],
  plan: RowPlan,
  options: { batching: Batching; blockSize: number },
): TokenBatch {
  const B = plan.length;
  const rowLen = (row: number[]): number => row.reduce((s, e) => s + examples[e]!.ids.length - 1, 0);
  const T =
    options.batching === "pack"
      ? options.blockSize
      : Math.min(options.blockSize, roundUp(Math.max(1, ...plan.map(rowLen)), 8));
  const n = B * T;
  const inputs = new Int32Array(n);
  const targets = new Int32Array(n);
  const weights = new Float32Array(n);
  const positions = new Int32Array(n);
  const segments = new Int32Array(n);
  plan.forEach((row, b) => {
    let t = b * T;
    row.forEach((e, s) => {
      const { ids, promptLen } = examples[e]!;
      for (let i = 0; i < ids.length - 1; i++, t++) {
        inputs[t] = ids[i]!;
        targets[t] = ids[i + 1]!;
        weights[t] = i + 1 >= promptLen ? 1 : 0;
        positions[t] = i;
        segments[t] = s + 1;
      }
    });
  });
  return { batchSize: B, seqLen: T, inputs, targets, weights, positions, segments, causalOnly: options.batching === "pad" };
}

/** Where the data stream is: the epoch and the next batch within it. */
export interface DataCursor {
  /** 0-based epoch. */
  readonly epoch: number;
  /** Index of the next batch in the epoch's plan. */
  readonly batch: number;
}

/** An endless, resumable stream of training batches over `examples`. */
export class BatchStream {
  private plan: RowPlan[] = [];
  private planEpochNo = -1;
  private cur: DataCursor;

  /**
   * @param examples - encoded training examples (non-empty).
   * @param options - batching, rows per batch, block size, seed, and a cursor to resume from.
   */
  constructor(
    private readonly examples: readonly EncodedExample[],
    private readonly options: { batching: Batching; batchSize: number; blockSize: number; seed: number | string; cursor?: DataCursor },
  ) {
    if (examples.length === 0) throw new TunixError("TRAIN_NO_DATA", "no training examples left after encoding");
    this.cur = options.cursor ?? { epoch: 0, batch: 0 };
  }

  /** The cursor of the next batch (save it to resume). */
  get cursor(): DataCursor {
    return this.cur;
  }

  /** The next batch; rolls over to the next epoch (new shuffle) at the end of one. */
  next(): TokenBatch {
    if (this.planEpochNo !== this.cur.epoch) {
      this.plan = planEpoch(this.examples, { ...this.options, epoch: this.cur.epoch });
      this.planEpochNo = this.cur.epoch;
    }
    if (this.cur.batch >= this.plan.length) {
      this.cur = { epoch: this.cur.epoch + 1, batch: 0 };
      return this.next();
    }
    const batch = buildBatch(this.examples, this.plan[this.cur.batch]!, this.options);
    this.cur = { epoch: this.cur.epoch, batch: this.cur.batch + 1 };
    return batch;
  }
}

/**
 * Fixed (unshuffled, padded) batches over `examples` for evaluation.
 *
 * @param examples - encoded validation examples.
 * @param options - rows per batch and block size.
 */
export function evalBatches(examples: readonly EncodedExample[], options: { batchSize: number; blockSize: number }): TokenBatch[] {
  const plans = planEpoch(examples, { batching: "pad", batchSize: options.batchSize, blockSize: options.blockSize, seed: 0, epoch: 0, shuffle: false });
  return plans.map((p) => buildBatch(examples, p, { batching: "pad", blockSize: options.blockSize }));
}

/**
 * Training inputs → encoded examples: render traces with `renderTrace(…, "prompt_completion")`, pick or
 * learn the tokenizer, tokenize, and fingerprint the result (so a resume on different data is refused).
 */
import { TunixError } from "../errors.js";
import { sha256Hex } from "../internal/hash.js";
import { renderTrace, type RenderTraceOptions } from "../render/index.js";
import type { PromptCompletion, ReasoningTrace } from "../schema/index.js";
import type { TrainConfig } from "./config.js";
import { encodeExamples, type EncodedExample, type EncodeStats } from "./data.js";
import { createByteTokenizer, trainBpeTokenizer, type Tokenizer } from "./tokenizer.js";

/** One training input: an already rendered `{prompt, completion}` pair, or a reasoning trace. */
export type TrainItem = PromptCompletion | ReasoningTrace;

/**
 * Renders items to prompt/completion pairs; traces go through `renderTrace(trace, "prompt_completion")`.
 *
 * @param items - pairs or traces.
 * @param render - render options for traces (template, style, system instruction…).
 */
export function toPromptCompletions(items: Iterable<TrainItem>, render: RenderTraceOptions = {}): PromptCompletion[] {
  const out: PromptCompletion[] = [];
  let i = 0;
  for (const item of items) {
    if (item && typeof item === "object" && typeof (item as PromptCompletion).completion === "string" && typeof item.prompt === "string") {
      out.push({ prompt: item.prompt, completion: (item as PromptCompletion).completion });
    } else if (item && typeof item === "object") {
      out.push(renderTrace(item as ReasoningTrace, "prompt_completion", render));
    } else {
      throw new TunixError("INVALID_ARGUMENT", `train[${i}]: expected a trace or {prompt, completion}, got ${item === null ? "null" : typeof item}`);
    }
    i++;
  }
  return out;
}

/**
 * {@link toPromptCompletions} over a sync or async iterable (e.g. a `TraceStore` query).
 *
 * @param items - pairs or traces.
 * @param render - render options for traces.
 */
export async function collectPromptCompletions(
  items: Iterable<TrainItem> | AsyncIterable<TrainItem>,
  render: RenderTraceOptions = {},
): Promise<PromptCompletion[]> {
  if (Symbol.asyncIterator in items) {
    const all: TrainItem[] = [];
    for await (const item of items) all.push(item);
    return toPromptCompletions(all, render);
  }
  return toPromptCompletions(items, render);
}

/**
 * The tokenizer for a run: the given one, else a byte tokenizer, else BPE learned on the training text.
 *
 * @param config - training config (tokenizer section).
 * @param pairs - training pairs (BPE learns on their prompts and completions).
 * @param given - an explicit tokenizer (wins).
 */
export function chooseTokenizer(config: TrainConfig, pairs: readonly PromptCompletion[], given?: Tokenizer): Tokenizer {
  if (given) return given;
  if (config.tokenizer.type === "byte") return createByteTokenizer();
  return trainBpeTokenizer(
    pairs.flatMap((p) => [p.prompt, p.completion]),
    { vocabSize: config.tokenizer.vocabSize },
  );
}

/** sha256 over the encoded examples (ids and prompt lengths): equal data ⇒ equal fingerprint. */
export function fingerprintExamples(examples: readonly EncodedExample[]): string {
  const parts: Uint8Array[] = [];
  for (const e of examples) {
    parts.push(new Uint8Array(Int32Array.of(e.promptLen, e.ids.length).buffer));
    parts.push(new Uint8Array(e.ids.buffer, e.ids.byteOffset, e.ids.byteLength));
  }
  return sha256Hex(Buffer.concat(parts));
}

/** Encoded train/val data plus stats and fingerprints. */
export interface PreparedData {
  /** Training examples. */
  readonly train: EncodedExample[];
  /** Validation examples (possibly empty). */
  readonly val: EncodedExample[];
  /** What encoding kept and dropped. */
  readonly stats: { train: EncodeStats; val: EncodeStats | null };
  /** Fingerprint of the encoded training data. */
  readonly trainFingerprint: string;
  /** Fingerprint of the encoded validation data, or null. */
  readonly valFingerprint: string | null;
}

/**
 * Tokenizes train and val pairs to at most `blockSize + 1` tokens each.
 *
 * @param tokenizer - the run's tokenizer.
 * @param train - training pairs.
 * @param val - validation pairs (or undefined).
 * @param config - training config (truncation).
 * @param blockSize - the model's block size.
 */
export function prepareData(
  tokenizer: Tokenizer,
  train: readonly PromptCompletion[],
  val: readonly PromptCompletion[] | undefined,
  config: TrainConfig,
  blockSize: number,
): PreparedData {
  const opts = { maxTokens: blockSize + 1, truncation: config.data.truncation };
  const tr = encodeExamples(tokenizer, train, opts);
  if (tr.examples.length === 0) {
    throw new TunixError(
      "TRAIN_NO_DATA",
      `no training example has a supervised token (${tr.stats.total} given, ${tr.stats.dropped} dropped after truncation to ${blockSize + 1} tokens)`,
    );
  }
  const va = val ? encodeExamples(tokenizer, val, opts) : null;
  return {
    train: tr.examples,
    val: va?.examples ?? [],
    stats: { train: tr.stats, val: va?.stats ?? null },
    trainFingerprint: fingerprintExamples(tr.examples),
    valFingerprint: va ? fingerprintExamples(va.examples) : null,
  };
}

import { TunixError } from "../errors.js";
import type { TraceStore } from "../storage/index.js";
import type { EvalSet } from "./eval-set.js";

/** One eval item whose prompt also occurs in the training data. */
export interface ContaminatedItem {
  /** Eval item id. */
  item_id: string;
  /** The eval prompt. */
  prompt: string;
  /** Training records it matched: their 0-based position in the scanned data and their id when known. */
  matches: { index: number; id: string | null }[];
}

/** Result of {@link checkContamination}. */
export interface ContaminationReport {
  /** Eval items checked. */
  eval_items: number;
  /** Training records scanned. */
  records_scanned: number;
  /** Records from which no prompt text could be read (skipped). */
  records_skipped: number;
  /** Matching mode used. */
  mode: "exact" | "contains";
  /** Contaminated eval items, in eval-set order. */
  contaminated: ContaminatedItem[];
  /** `contaminated.length / eval_items`. */
  rate: number;
}

/** Options for {@link checkContamination}. */
export interface ContaminationOptions {
  /**
   * `exact` (default): normalized training prompt equals the normalized eval prompt. `contains`: the
   * normalized training text contains the normalized eval prompt (use for rendered chat text).
   */
  mode?: "exact" | "contains";
  /** Matches kept per eval item (default 10); counting continues past it. */
  maxMatchesPerItem?: number;
}

const CONTROL = /<start_of_turn>(?:user|model)?|<end_of_turn>|<bos>|<eos>|<pad>/g;

/**
 * The form prompts are compared in: Gemma control tokens removed, Unicode NFKC, lower case, whitespace
 * collapsed, leading and trailing punctuation dropped ("What is 15 + 27?" = "what is 15 + 27"). Inner
 * punctuation and symbols are kept, so "15 + 27" and "15 - 27" stay different.
 *
 * @param text - a prompt.
 */
export function normalizePrompt(text: string): string {
  return text
    .replace(CONTROL, " ")
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "");
}

/**
 * Reports eval prompts that also occur in a training dataset, after {@link normalizePrompt}. Records may
 * be prompt strings, traces (`{prompt}`), stored traces (`{id, trace: {prompt}}`), training examples
 * (`{id, prompt, response}`), prompt/completion pairs, or chat records (`{messages}`: user turns are read).
 * A {@link TraceStore} (anything with `stream()`) is read through `stream()`. Streams the data once; memory
 * is bounded by the eval set.
 *
 * @param evalSet - the eval set.
 * @param data - training records (sync or async iterable), or a trace store.
 * @param options - match mode.
 */
export async function checkContamination(
  evalSet: EvalSet,
  data: Iterable<unknown> | AsyncIterable<unknown> | { stream(): AsyncIterable<unknown> },
  options: ContaminationOptions = {},
): Promise<ContaminationReport> {
  const mode = options.mode ?? "exact";
  if (mode !== "exact" && mode !== "contains") {
    throw new TunixError("INVALID_ARGUMENT", `checkContamination: mode must be "exact" or "contains", got ${JSON.stringify(mode)}`);
  }
  const source = iterableOf(data);
  const cap = options.maxMatchesPerItem ?? 10;
  const byPrompt = new Map<string, number[]>();
  const normalized = evalSet.items.map((item) => normalizePrompt(item.prompt));
  normalized.forEach((p, i) => {
    const list = byPrompt.get(p);
    if (list) list.push(i);
    else byPrompt.set(p, [i]);
  });
  const hits = evalSet.items.map(() => [] as { index: number; id: string | null }[]);
  let scanned = 0;
  let skipped = 0;
  for await (const record of source) {
    const index = scanned++;
    const texts = promptTexts(record);
    if (texts.length === 0) {
      skipped++;
      continue;
    }
    const id = recordId(record);
    const matched = new Set<number>();
    for (const text of texts) {
      const norm = normalizePrompt(text);
      if (mode === "exact") {
        for (const i of byPrompt.get(norm) ?? []) matched.add(i);
      } else {
        normalized.forEach((p, i) => {
          if (p !== "" && norm.includes(p)) matched.add(i);
        });
      }
    }
    for (const i of matched) if (hits[i]!.length < cap) hits[i]!.push({ index, id });
  }
  const contaminated: ContaminatedItem[] = [];
  evalSet.items.forEach((item, i) => {
    if (hits[i]!.length > 0) contaminated.push({ item_id: item.id, prompt: item.prompt, matches: hits[i]! });
  });
  return {
    eval_items: evalSet.items.length,
    records_scanned: scanned,
    records_skipped: skipped,
    mode,
    contaminated,
    rate: evalSet.items.length === 0 ? 0 : contaminated.length / evalSet.items.length,
  };
}

function iterableOf(data: unknown): AsyncIterable<unknown> | Iterable<unknown> {
  if (typeof data === "object" && data !== null) {
    if (Symbol.asyncIterator in data || Symbol.iterator in data) return data as AsyncIterable<unknown>;
    const stream = (data as { stream?: unknown }).stream;
    if (typeof stream === "function") return (stream as () => AsyncIterable<unknown>).call(data);
  }
  throw new TunixError("INVALID_ARGUMENT", "checkContamination: data must be an iterable, an async iterable, or a store with stream()");
}

function promptTexts(record: unknown): string[] {
  if (typeof record === "string") return [record];
  if (typeof record !== "object" || record === null) return [];
  const r = record as Record<string, unknown>;
  if (typeof r.prompt === "string") return [r.prompt];
  if (typeof r.trace === "object" && r.trace !== null && typeof (r.trace as Record<string, unknown>).prompt === "string") {
    return [(r.trace as Record<string, string>).prompt!];
  }
  if (Array.isArray(r.messages)) {
    return r.messages
      .filter((m): m is { role: string; content: string } => typeof m === "object" && m !== null && (m as { role?: unknown }).role === "user" && typeof (m as { content?: unknown }).content === "string")
      .map((m) => m.content);
  }
  if (typeof r.text === "string") return [r.text];
  return [];
}

function recordId(record: unknown): string | null {
  if (typeof record !== "object" || record === null) return null;
  const id = (record as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? String(id) : null;
}

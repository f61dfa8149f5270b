import { TunixError } from "../errors.js";
import type { ExtractionMethod } from "./extract.js";
import type { ScoreDetails } from "./scorers.js";

/** One line of the per-item records JSONL written by {@link evaluate}. */
export interface EvalRecord {
  /** Eval item id. */
  item_id: string;
  /** The item's prompt (as in the eval set). */
  prompt: string;
  /** The item's expected answer. */
  expected: string;
  /** The raw model response ("" when generation failed). */
  response: string;
  /** The extracted answer, or null. */
  extracted: string | null;
  /** How the answer was extracted. */
  extraction_method: ExtractionMethod;
  /** Score per metric. */
  scores: Record<string, number>;
  /** Scorer details per metric (only scorers that returned details). */
  score_details: Record<string, ScoreDetails>;
  /** Generation latency in milliseconds (for a batch: the batch's latency divided by its size). */
  latency_ms: number;
  /** Item category, or null. */
  category: string | null;
  /** Item section, or null. */
  section: string | null;
  /** Item difficulty, or null. */
  difficulty: string | null;
  /** The text actually sent to the generator, when `formatPrompt` changed it. */
  rendered_prompt?: string;
  /** Generation error, when `onError: "record"` kept a failed item. */
  error?: string;
}

/** Where evaluate writes records: anything with a `write(string)` method (a Node stream, an array sink). */
export interface RecordSink {
  /** Writes one chunk (a JSONL line with its `\n`). A returned promise is awaited. */
  write(chunk: string): unknown;
}

/** Serializes a record as one JSONL line (fixed key order) with a trailing newline. */
export function recordToJsonl(record: EvalRecord): string {
  return JSON.stringify(record) + "\n";
}

/** Opens a records file for writing (truncating it); returns a sink and a close function. */
export async function openRecordsFile(path: string): Promise<{ sink: RecordSink; close: () => Promise<void> }> {
  const { open } = await import("node:fs/promises");
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "w");
  } catch (e) {
    throw new TunixError("EVAL_ERROR", `evaluate: cannot open recordsPath ${path}: ${(e as Error).message}`, { cause: e, details: { path } });
  }
  return {
    sink: { write: (chunk: string) => handle.write(chunk) },
    close: () => handle.close(),
  };
}

/**
 * Reads a records JSONL file written by {@link evaluate} (blank lines skipped).
 *
 * @param text - the file's text.
 */
export function parseRecordsJsonl(text: string): EvalRecord[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as EvalRecord);
}

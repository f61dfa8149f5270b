import { fastSha256Hex } from "./priority.js";

/** Version of the dedup normalization; recorded in manifests through the selection op. */
export const DEDUP_ALGORITHM = "dedup@1";

/**
 * Normalizes text for duplicate detection: Unicode NFC, lower case (locale-independent), every run of
 * whitespace collapsed to one space, trimmed. "What is 2+2?" and " what  is 2+2? " are duplicates.
 *
 * @param text - prompt or answer text.
 */
export function normalizeForDedup(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/\s+/gu, " ").trim();
}

/**
 * The dedup key of a trace: sha256 of its normalized prompt and normalized final answer (separated by
 * U+0000, which normalization never produces from whitespace). Steps do not count: two traces that ask
 * the same question and give the same answer are duplicates for training purposes.
 *
 * @param trace - anything with `prompt` and `final_answer`.
 */
export function dedupKey(trace: { prompt: string; final_answer: string }): string {
  return fastSha256Hex(`${normalizeForDedup(trace.prompt)}\u0000${normalizeForDedup(trace.final_answer)}`);
}

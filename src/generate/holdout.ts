/**
 * Held-out partition of the prompt space. A prompt is "held out" when a salted 32-bit FNV-1a hash of its
 * text falls into one of {@link HOLDOUT_BUCKETS} buckets (bucket 0). Training generation excludes held-out
 * prompts by default and the shipped eval sets contain only held-out prompts, so the two never overlap,
 * whatever the seeds and counts.
 */
export const HOLDOUT_BUCKETS = 8;

const SALT = "tunix-rt/holdout/v1\u0000";

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * True when `prompt` belongs to the held-out (evaluation) part of the prompt space: about one prompt in
 * {@link HOLDOUT_BUCKETS}. Pure and stable across versions of this library (the salt is versioned).
 *
 * @param prompt - a trace or eval-item prompt, compared exactly (no normalization).
 */
export function isHeldOutPrompt(prompt: string): boolean {
  return fnv1a(SALT + prompt) % HOLDOUT_BUCKETS === 0;
}

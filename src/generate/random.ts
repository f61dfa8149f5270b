import type { Rng } from "../internal/rng.js";

/** Integer in [min, max] inclusive. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + rng.int(max - min + 1);
}

/** A uniformly chosen element of a non-empty list. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** A random positive integer with exactly `digits` decimal digits, as a string (no leading zero, never 0). */
export function randomDigits(rng: Rng, digits: number): string {
  let out = String(1 + rng.int(9));
  for (let i = 1; i < digits; i++) out += String(rng.int(10));
  return out;
}

/** Index chosen with probability proportional to `weights` (all >= 0, sum > 0). */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

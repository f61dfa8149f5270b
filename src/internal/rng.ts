import seedrandom from "seedrandom";

/** Name of the PRNG algorithm every seeded operation uses; recorded in manifests. */
export const RNG_ALGORITHM = "seedrandom-alea@3.0.5";

/** A seeded random source whose state can be saved and restored exactly. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** Opaque state for {@link createRng}'s `state` argument. */
  state(): unknown;
}

/**
 * A deterministic PRNG (seedrandom's alea). The library never uses Math.random.
 *
 * @param seed - any string or number; the same seed gives the same sequence on every machine.
 * @param state - a value from `rng.state()` to resume a sequence exactly.
 */
export function createRng(seed: string | number, state?: unknown): Rng {
  // seedrandom's typings only admit `true`; a saved state object is what its docs say to pass back.
  const prng = seedrandom.alea(String(seed), { state: (state ?? true) as true });
  return {
    next: () => prng(),
    int: (n: number) => Math.floor(prng() * n),
    state: () => prng.state(),
  };
}

/** Fisher–Yates shuffle of a copy of `items` with the given rng. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

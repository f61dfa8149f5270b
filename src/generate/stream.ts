import { z } from "zod";
import { TunixError } from "../errors.js";
import { fromZodIssues, parseTrace, type ReasoningTrace } from "../schema/index.js";
import { createRng } from "../internal/rng.js";
import { isHeldOutPrompt } from "./holdout.js";
import { DEFAULT_MIX, MixEntrySchema, drawItem, mixEntries, type Mix } from "./mix.js";
import { weightedIndex } from "./random.js";
import { toTrace } from "./trace-builder.js";

/**
 * Which part of the held-out partition (see {@link isHeldOutPrompt}) generated prompts come from:
 * `exclude` (default, for training data) skips held-out prompts, `only` keeps nothing else (eval sets),
 * `ignore` draws from the whole space.
 */
export type HoldoutMode = "exclude" | "only" | "ignore";

/** Options of {@link generateTraces}. */
export interface GenerateTracesOptions {
  /** Generators and weights; default {@link DEFAULT_MIX} (every generator, weight 1). */
  mix?: Mix;
  /** Number of traces to produce (0..10 000 000). */
  count: number;
  /** Seed; the same seed, mix and count give byte-identical output. */
  seed: string | number;
  /** Held-out partition policy (default `exclude`). */
  holdout?: HoldoutMode;
  /** Index of the first trace (default 0): generating 0..n and then n..m equals generating 0..m. */
  startIndex?: number;
}

/** Maximum number of traces one {@link generateTraces} call may produce. */
export const MAX_GENERATE_COUNT = 10_000_000;

// Redraws per trace before giving up on the holdout policy (1 prompt in 8 is held out, so 8 on average
// for `only`); a generator whose prompt space has no held-out prompt fails loudly instead of looping.
const MAX_ATTEMPTS = 500;

const OptionsSchema = z.strictObject({
  mix: z.array(MixEntrySchema).min(1, "mix must name at least one generator"),
  count: z.number().int().min(0).max(MAX_GENERATE_COUNT),
  seed: z.union([z.string().min(1), z.number().finite()]),
  holdout: z.enum(["exclude", "only", "ignore"]).default("exclude"),
  startIndex: z.number().int().min(0).default(0),
});

/** Validated, default-filled generation options. */
function resolve(options: GenerateTracesOptions): z.output<typeof OptionsSchema> {
  if (typeof options !== "object" || options === null) {
    throw new TunixError("INVALID_ARGUMENT", "generateTraces expects an options object { mix?, count, seed }");
  }
  const input = { ...options, mix: mixEntries(options.mix ?? DEFAULT_MIX) };
  for (const key of Object.keys(input) as (keyof typeof input)[]) if (input[key] === undefined) delete input[key];
  const result = OptionsSchema.safeParse(input);
  if (!result.success) {
    throw new TunixError("INVALID_ARGUMENT", "Invalid generateTraces options", { issues: fromZodIssues(result.error.issues) });
  }
  const total = result.data.mix.reduce((a, e) => a + e.weight, 0);
  if (!(total > 0)) {
    throw new TunixError("INVALID_ARGUMENT", "Invalid generateTraces options", {
      issues: [{ code: "custom", path: ["mix"], message: "mix weights must sum to more than 0" }],
    });
  }
  return result.data;
}

/**
 * Streams deterministic synthetic reasoning traces. Each trace gets its own PRNG seeded from
 * `(seed, index)`, so the output depends only on the options, never on timing or the machine; the same
 * options give byte-identical `JSON.stringify` output. Every trace is validated with `parseTrace`.
 * `meta` records `generator`, `category`, `task`, `difficulty`, `seed` and `index` plus task details.
 *
 * @param options - `{ mix, count, seed, holdout, startIndex }`.
 * @returns a lazy iterable (works with `for ... of` and `for await ... of`).
 * @throws TunixError `INVALID_ARGUMENT` naming the bad option (validated eagerly, before iteration).
 */
export function generateTraces(options: GenerateTracesOptions): Iterable<ReasoningTrace> {
  const opts = resolve(options);
  const weights = opts.mix.map((e) => e.weight);
  return {
    *[Symbol.iterator]() {
      for (let k = 0; k < opts.count; k++) {
        const index = opts.startIndex + k;
        const rng = createRng(`${opts.seed}#${index}`);
        const entry = opts.mix[weightedIndex(rng, weights)]!;
        let item = drawItem(entry, rng);
        for (let attempt = 1; opts.holdout !== "ignore" && isHeldOutPrompt(item.prompt) !== (opts.holdout === "only"); attempt++) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new TunixError(
              "INVALID_ARGUMENT",
              `generator "${entry.generator}" found no prompt matching holdout "${opts.holdout}" in ${MAX_ATTEMPTS} draws (trace ${index}); widen its options`,
            );
          }
          item = drawItem(entry, rng);
        }
        yield parseTrace(toTrace(item, { seed: opts.seed, index }));
      }
    },
  };
}

/**
 * Like {@link generateTraces} but yields JSONL lines (`JSON.stringify(trace) + "\n"`).
 *
 * @param options - as for {@link generateTraces}.
 */
export function generateTracesJsonl(options: GenerateTracesOptions): Iterable<string> {
  const traces = generateTraces(options);
  return {
    *[Symbol.iterator]() {
      for (const trace of traces) yield `${JSON.stringify(trace)}\n`;
    },
  };
}

import { z } from "zod";
import { ArithmeticOptionsSchema, arithmeticItem } from "./arithmetic.js";
import { EdgeCaseOptionsSchema, edgeCaseItem } from "./edge-cases.js";
import { HighCardDuelOptionsSchema, highCardDuelRandomItem } from "./high-card-duel.js";
import { LogicOptionsSchema, logicItem } from "./logic.js";
import { StringOptionsSchema, stringItem } from "./strings.js";
import { WordProblemOptionsSchema, wordProblemItem } from "./word-problems.js";
import type { Rng } from "../internal/rng.js";
import type { GeneratedItem } from "./trace-builder.js";

/** Names of the built-in generators. */
export const GENERATOR_NAMES = ["arithmetic", "word_problem", "string", "logic", "high_card_duel", "edge_case"] as const;

/** Name of a built-in generator. */
export type GeneratorName = (typeof GENERATOR_NAMES)[number];

const weight = z.number().finite().min(0).default(1);

/** One entry of a generation mix: a generator, its relative weight and its options. */
export const MixEntrySchema = z.discriminatedUnion("generator", [
  z.strictObject({ generator: z.literal("arithmetic"), weight, options: ArithmeticOptionsSchema.default(ArithmeticOptionsSchema.parse({})) }),
  z.strictObject({ generator: z.literal("word_problem"), weight, options: WordProblemOptionsSchema.default(WordProblemOptionsSchema.parse({})) }),
  z.strictObject({ generator: z.literal("string"), weight, options: StringOptionsSchema.default(StringOptionsSchema.parse({})) }),
  z.strictObject({ generator: z.literal("logic"), weight, options: LogicOptionsSchema.default(LogicOptionsSchema.parse({})) }),
  z.strictObject({ generator: z.literal("high_card_duel"), weight, options: HighCardDuelOptionsSchema.default(HighCardDuelOptionsSchema.parse({})) }),
  z.strictObject({ generator: z.literal("edge_case"), weight, options: EdgeCaseOptionsSchema.default(EdgeCaseOptionsSchema.parse({})) }),
]);

/** One mix entry (input form: `weight` defaults to 1, `options` to the generator's defaults). */
export type MixEntry = z.input<typeof MixEntrySchema>;
/** A parsed mix entry with every default filled in. */
export type ResolvedMixEntry = z.output<typeof MixEntrySchema>;

/**
 * A generation mix: a list of entries, or the shorthand `{ arithmetic: 3, string: 1 }` (generator name →
 * weight, default options).
 */
export type Mix = readonly MixEntry[] | Partial<Record<GeneratorName, number>>;

/** Every built-in generator with weight 1 and default options. */
export const DEFAULT_MIX: readonly MixEntry[] = GENERATOR_NAMES.map((generator) => ({ generator }));

/**
 * The demo's training data: 2- and 3-digit addition and subtraction in the compact step format (the format
 * a tiny model learns fastest; see docs). Eval prompts are excluded by the held-out partition.
 */
export const ARITHMETIC_TRAINING_MIX: readonly MixEntry[] = [
  { generator: "arithmetic", options: { operations: ["addition", "subtraction"], digits: [2, 3], format: "compact" } },
];

/** Draws one item from a resolved entry. */
export function drawItem(entry: ResolvedMixEntry, rng: Rng): GeneratedItem {
  switch (entry.generator) {
    case "arithmetic":
      return arithmeticItem(rng, entry.options);
    case "word_problem":
      return wordProblemItem(rng, entry.options);
    case "string":
      return stringItem(rng, entry.options);
    case "logic":
      return logicItem(rng, entry.options);
    case "high_card_duel":
      return highCardDuelRandomItem(rng, entry.options);
    case "edge_case":
      return edgeCaseItem(rng, entry.options);
  }
}

/** Normalizes the record shorthand to entries (validation happens in the caller's schema). */
export function mixEntries(mix: Mix): unknown[] {
  if (Array.isArray(mix)) return [...mix];
  return Object.entries(mix as Record<string, unknown>).map(([generator, w]) => ({ generator, weight: w }));
}

/**
 * Deterministic synthetic reasoning-trace generators (arithmetic with column-by-column steps, word
 * problems, string tasks, syllogisms, High Card Duel, edge cases), the generation mix, the held-out
 * partition and the builders of the shipped eval sets.
 * @module
 */
export { GENERATED_TRACE_VERSION, type GeneratedItem, type StepDraft, type DifficultyLabel } from "./trace-builder.js";
export {
  ArithmeticOptionsSchema,
  MAX_ARITHMETIC_DIGITS,
  additionItem,
  subtractionItem,
  multiplicationItem,
  type ArithmeticOptions,
  type ArithmeticOperation,
  type ArithmeticStepFormat,
  type ArithmeticTraceOptions,
} from "./arithmetic.js";
export { WordProblemOptionsSchema, formatDollars, type WordProblemOptions, type WordProblemTask } from "./word-problems.js";
export { StringOptionsSchema, type StringOptions, type StringTask } from "./strings.js";
export { LogicOptionsSchema, SYLLOGISM_FORMS, syllogismItem, type LogicOptions, type SyllogismForm } from "./logic.js";
export {
  HighCardDuelOptionsSchema,
  CARD_RANKS,
  CARD_SUITS,
  standardDeck,
  cardValue,
  cardName,
  highCardDuelItem,
  type HighCardDuelOptions,
  type DuelResult,
} from "./high-card-duel.js";
export { EdgeCaseOptionsSchema, type EdgeCaseOptions, type EdgeCaseKind } from "./edge-cases.js";
export {
  GENERATOR_NAMES,
  MixEntrySchema,
  DEFAULT_MIX,
  ARITHMETIC_TRAINING_MIX,
  type GeneratorName,
  type Mix,
  type MixEntry,
  type ResolvedMixEntry,
} from "./mix.js";
export { HOLDOUT_BUCKETS, isHeldOutPrompt } from "./holdout.js";
export {
  generateTraces,
  generateTracesJsonl,
  MAX_GENERATE_COUNT,
  type GenerateTracesOptions,
  type HoldoutMode,
} from "./stream.js";
export {
  ARITHMETIC_EVAL_SEED,
  REASONING_EVAL_SEED,
  traceToEvalItem,
  buildArithmeticEvalSet,
  buildReasoningEvalSet,
  evalItemsToJsonl,
  type GeneratedEvalItem,
  type ArithmeticEvalSetOptions,
  type ReasoningEvalSetOptions,
} from "./evalsets.js";

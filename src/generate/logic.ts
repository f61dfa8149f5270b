import { z } from "zod";
import type { Rng } from "../internal/rng.js";
import { pick } from "./random.js";
import { shuffled } from "../internal/rng.js";
import type { GeneratedItem } from "./trace-builder.js";

/**
 * Syllogism forms. Valid: `barbara` (all A are B, all B are C ⇒ all A are C), `celarent` (all A are B,
 * no B are C ⇒ no A are C), `darii` (all B are C, some A are B ⇒ some A are C). Invalid:
 * `undistributed_middle` (all A are B, all C are B ⇏ all A are C), `converse` (all A are B ⇏ all B are A),
 * `reversed_conclusion` (all A are B, all B are C ⇏ all C are A).
 */
export type SyllogismForm = "barbara" | "celarent" | "darii" | "undistributed_middle" | "converse" | "reversed_conclusion";

/** Every syllogism form, valid ones first. */
export const SYLLOGISM_FORMS: readonly SyllogismForm[] = [
  "barbara",
  "celarent",
  "darii",
  "undistributed_middle",
  "converse",
  "reversed_conclusion",
];

/** Options of the `logic` generator. */
export const LogicOptionsSchema = z.strictObject({
  /** Forms to draw from, uniformly. */
  forms: z.array(z.enum(SYLLOGISM_FORMS as [SyllogismForm, ...SyllogismForm[]])).min(1).default([...SYLLOGISM_FORMS]),
});

/** Options of the `logic` generator (input form: every field optional). */
export type LogicOptions = z.input<typeof LogicOptionsSchema>;

// Nonsense nouns, so the answer follows from the premises and not from world knowledge.
const TERMS = [
  "blickets", "wugs", "daxes", "zorbs", "feps", "toves", "glims", "snarks", "borogoves", "quolls",
  "tazzles", "frobs", "mimsies", "yerks", "plonks", "grinks", "vexes", "lorps", "chuffs", "nibbets",
];

interface Syllogism {
  premises: string[];
  question: string;
  valid: boolean;
  rule: string;
}

function build(form: SyllogismForm, a: string, b: string, c: string): Syllogism {
  switch (form) {
    case "barbara":
      return {
        premises: [`All ${a} are ${b}.`, `All ${b} are ${c}.`],
        question: `all ${a} are ${c}`,
        valid: true,
        rule: `every one of the ${a} is among the ${b}, and every one of the ${b} is among the ${c}, so every one of the ${a} is among the ${c}`,
      };
    case "celarent":
      return {
        premises: [`All ${a} are ${b}.`, `No ${b} are ${c}.`],
        question: `no ${a} are ${c}`,
        valid: true,
        rule: `every one of the ${a} is among the ${b}, and none of the ${b} is among the ${c}, so none of the ${a} is among the ${c}`,
      };
    case "darii":
      return {
        premises: [`All ${b} are ${c}.`, `Some ${a} are ${b}.`],
        question: `some ${a} are ${c}`,
        valid: true,
        rule: `the ${a} that are ${b} are also ${c}, because all ${b} are ${c}`,
      };
    case "undistributed_middle":
      return {
        premises: [`All ${a} are ${b}.`, `All ${c} are ${b}.`],
        question: `all ${a} are ${c}`,
        valid: false,
        rule: `${a} and ${c} are both among the ${b}, but they may be different members of the ${b}`,
      };
    case "converse":
      return {
        premises: [`All ${a} are ${b}.`, `Some ${b} are ${c}.`],
        question: `all ${b} are ${a}`,
        valid: false,
        rule: `all ${a} are ${b} says nothing about the ${b} that are not ${a}; there may be such ${b}`,
      };
    case "reversed_conclusion":
      return {
        premises: [`All ${a} are ${b}.`, `All ${b} are ${c}.`],
        question: `all ${c} are ${a}`,
        valid: false,
        rule: `the premises give all ${a} are ${c}, not the reverse; there may be ${c} that are not ${a}`,
      };
  }
}

/** Builds one syllogism trace from a form and three distinct plural nouns. */
export function syllogismItem(form: SyllogismForm, a: string, b: string, c: string): GeneratedItem {
  const s = build(form, a, b, c);
  const answer = s.valid ? "Yes" : "No";
  return {
    prompt: `${s.premises.join(" ")} Does it follow that ${s.question}? Answer Yes or No.`,
    final_answer: answer,
    steps: [
      ...s.premises.map((p, k) => ({ type: "premise", content: `premise ${k + 1}: ${p}` })),
      { type: "inference", content: s.rule },
      { type: "conclusion", content: `${s.valid ? "it follows" : "it does not follow"} that ${s.question}: ${answer}` },
    ],
    meta: {
      generator: "logic",
      category: "logic",
      task: "syllogism",
      difficulty: s.valid ? "easy" : "medium",
      form,
      valid: s.valid,
      terms: [a, b, c],
    },
  };
}

/** Draws one syllogism according to (parsed) options. */
export function logicItem(rng: Rng, options: z.output<typeof LogicOptionsSchema>): GeneratedItem {
  const form = pick(rng, options.forms);
  const [a, b, c] = shuffled(TERMS, rng) as [string, string, string];
  return syllogismItem(form, a, b, c);
}

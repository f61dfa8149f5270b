import { z } from "zod";
import type { Rng } from "../internal/rng.js";
import { shuffled } from "../internal/rng.js";
import { intBetween, pick } from "./random.js";
import type { GeneratedItem, StepDraft } from "./trace-builder.js";

/** An edge-case shape the generator can produce. */
export type EdgeCaseKind = "minimal" | "unicode" | "long_prompt" | "many_steps" | "newlines";

/** Options of the `edge_case` generator. */
export const EdgeCaseOptionsSchema = z.strictObject({
  /** Kinds to draw from, uniformly. */
  kinds: z
    .array(z.enum(["minimal", "unicode", "long_prompt", "many_steps", "newlines"]))
    .min(1)
    .default(["minimal", "unicode", "long_prompt", "many_steps", "newlines"]),
  /** Largest number of steps a `many_steps` trace may have (its count is drawn up to this). */
  maxSteps: z.number().int().min(10).max(1000).default(300),
});

/** Options of the `edge_case` generator (input form: every field optional). */
export type EdgeCaseOptions = z.input<typeof EdgeCaseOptionsSchema>;

// Whole code points only (no combining marks or ZWJ sequences), so reversing by code point is well defined.
const UNICODE_WORDS = [
  "café", "naïve", "Grüße", "日本語", "mañana", "Ελλάδα", "Привет", "señor👋", "𝔘𝔫𝔦", "🍎🍌🍒",
  "안녕하세요", "שלום", "façade", "Ωmega", "smörgås", "čaj", "Łódź", "ÆØÅ",
];
const LIST_ITEMS = ["apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "kiwi", "lemon", "mango", "nectarine", "olive"];

function meta(kind: EdgeCaseKind, difficulty: string, extra: Record<string, unknown> = {}): GeneratedItem["meta"] {
  return { generator: "edge_case", category: "edge_case", task: kind, difficulty, ...extra };
}

function minimal(rng: Rng): GeneratedItem {
  const x = rng.int(10);
  const y = rng.int(10);
  return { prompt: `${x}+${y}`, final_answer: String(x + y), steps: [{ type: "calculation", content: `${x}+${y}=${x + y}` }], meta: meta("minimal", "easy") };
}

function unicode(rng: Rng): GeneratedItem {
  const text = rng.next() < 0.5 ? pick(rng, UNICODE_WORDS) : `${pick(rng, UNICODE_WORDS)} ${pick(rng, UNICODE_WORDS)}`;
  const cps = Array.from(text);
  const shown = cps.map((c) => (c === " " ? "␣" : c)).join(" ");
  if (rng.next() < 0.5) {
    const rev = [...cps].reverse();
    return {
      prompt: `Reverse the string: '${text}'`,
      final_answer: rev.join(""),
      steps: [
        { type: "split", content: `code points: ${shown}` },
        { type: "reorder", content: `last to first: ${rev.map((c) => (c === " " ? "␣" : c)).join(" ")}` },
        { type: "result", content: `joined: ${rev.join("")}` },
      ],
      meta: meta("unicode", "medium", { unicode_task: "reverse", input: text }),
    };
  }
  return {
    prompt: `How many characters (Unicode code points) are in '${text}'?`,
    final_answer: String(cps.length),
    steps: [
      { type: "split", content: `code points: ${shown}` },
      { type: "result", content: `count: ${cps.length}` },
    ],
    meta: meta("unicode", "medium", { unicode_task: "count", input: text }),
  };
}

function longPrompt(rng: Rng): GeneratedItem {
  const n = intBetween(rng, 300, 1200);
  const nums: number[] = [];
  for (let i = 0; i < n; i++) nums.push(intBetween(rng, 0, 99_999));
  const steps: StepDraft[] = [];
  const chunk = 100;
  for (let start = 0; start < n; start += chunk) {
    const part = nums.slice(start, start + chunk);
    steps.push({ type: "scan", content: `numbers ${start + 1}-${start + part.length}: largest ${Math.max(...part)}` });
  }
  const max = Math.max(...nums);
  steps.push({ type: "result", content: `largest overall: ${max}` });
  return {
    prompt: `Here are ${n} numbers: ${nums.join(", ")}. Which number is the largest?`,
    final_answer: String(max),
    steps,
    meta: meta("long_prompt", "hard", { count: n }),
  };
}

function manySteps(rng: Rng, maxSteps: number): GeneratedItem {
  const from = intBetween(rng, 1, 20);
  const terms = intBetween(rng, Math.min(50, maxSteps - 2), maxSteps - 2);
  const to = from + terms - 1;
  const steps: StepDraft[] = [];
  let total = 0;
  for (let k = from; k <= to; k++) {
    const before = total;
    total += k;
    steps.push({ type: "add", content: k === from ? `start: ${k}` : `${before}+${k}=${total}` });
  }
  steps.push({ type: "check", content: `(${from}+${to})×${terms}÷2=${((from + to) * terms) / 2}` });
  return {
    prompt: `Add the whole numbers from ${from} to ${to}, one at a time. What is the total?`,
    final_answer: String(total),
    steps,
    meta: meta("many_steps", "hard", { from, to }),
  };
}

function newlines(rng: Rng): GeneratedItem {
  if (rng.next() < 0.5) {
    const x = intBetween(rng, 2, 19);
    const k = intBetween(rng, 3, 8);
    const rows = Array.from({ length: k }, (_, j) => (j + 1) * x);
    return {
      prompt: `Write the first ${k} multiples of ${x}, one per line.`,
      final_answer: rows.join("\n"),
      steps: [...rows.map((v, j) => ({ type: "calculation", content: `${j + 1}×${x}=${v}` })), { type: "format", content: "one value per line" }],
      meta: meta("newlines", "easy", { newline_task: "multiples" }),
    };
  }
  const items = shuffled(LIST_ITEMS, rng).slice(0, intBetween(rng, 2, 6));
  const lines = items.map((it, j) => `${j + 1}. ${it}`);
  return {
    prompt: `Format this as a numbered list: ${items.join(", ")}`,
    final_answer: lines.join("\n"),
    steps: [
      { type: "split", content: `items: ${items.length}` },
      { type: "format", content: lines.join("\n") },
    ],
    meta: meta("newlines", "easy", { newline_task: "numbered_list" }),
  };
}

/** Draws one edge case according to (parsed) options. */
export function edgeCaseItem(rng: Rng, options: z.output<typeof EdgeCaseOptionsSchema>): GeneratedItem {
  const kind = pick(rng, options.kinds);
  switch (kind) {
    case "minimal":
      return minimal(rng);
    case "unicode":
      return unicode(rng);
    case "long_prompt":
      return longPrompt(rng);
    case "many_steps":
      return manySteps(rng, options.maxSteps);
    case "newlines":
      return newlines(rng);
  }
}

import { z } from "zod";
import type { Rng } from "../internal/rng.js";
import { intBetween, pick } from "./random.js";
import type { GeneratedItem } from "./trace-builder.js";

/** A word-problem task the generator can pose. */
export type WordProblemTask = "distance" | "percentage" | "unit_price";

/** Options of the `word_problem` generator. */
export const WordProblemOptionsSchema = z.strictObject({
  /** Tasks to draw from, uniformly. */
  tasks: z.array(z.enum(["distance", "percentage", "unit_price"])).min(1).default(["distance", "percentage", "unit_price"]),
  /** Difficulty levels to draw from, uniformly. */
  difficulties: z.array(z.enum(["easy", "medium", "hard"])).min(1).default(["easy", "medium", "hard"]),
});

/** Options of the `word_problem` generator (input form: every field optional). */
export type WordProblemOptions = z.input<typeof WordProblemOptionsSchema>;

type Level = "easy" | "medium" | "hard";

const TRAVELLERS = [
  { who: "a train", unit: "km", speedUnit: "km/h" },
  { who: "a cyclist", unit: "km", speedUnit: "km/h" },
  { who: "a car", unit: "miles", speedUnit: "mph" },
  { who: "a boat", unit: "km", speedUnit: "km/h" },
  { who: "a runner", unit: "km", speedUnit: "km/h" },
  { who: "a bus", unit: "miles", speedUnit: "mph" },
];

const MIXES = [
  { thing: "bag of trail mix", part: "raisins", unit: "g", unitWord: "grams" },
  { thing: "jug of punch", part: "juice", unit: "ml", unitWord: "millilitres" },
  { thing: "batch of flour", part: "whole wheat", unit: "g", unitWord: "grams" },
  { thing: "roll of fabric", part: "silk", unit: "cm", unitWord: "centimetres" },
  { thing: "tank of fuel", part: "ethanol", unit: "l", unitWord: "litres" },
];

const GOODS = ["notebooks", "pens", "apples", "tickets", "mugs", "candles", "books", "plants"];

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

function meta(task: WordProblemTask, difficulty: Level, extra: Record<string, unknown>): GeneratedItem["meta"] {
  return { generator: "word_problem", category: "word_problem", task, difficulty, ...extra };
}

/** Formats cents as dollars with two decimals: 3150 → "$31.50". */
export function formatDollars(cents: number): string {
  return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

function distance(rng: Rng, level: Level): GeneratedItem {
  const t = pick(rng, TRAVELLERS);
  if (level === "hard") {
    // time in minutes; speed chosen so that speed × minutes / 60 is a whole number
    for (;;) {
      const minutes = pick(rng, [20, 30, 40, 45, 90, 100, 135, 150]);
      const speed = intBetween(rng, 4, 90);
      if ((speed * minutes) % 60 !== 0) continue;
      const d = (speed * minutes) / 60;
      return {
        prompt: `${cap(t.who)} travels at ${speed} ${t.speedUnit} for ${minutes} minutes. How far does it travel?`,
        final_answer: `${d} ${t.unit}`,
        steps: [
          { type: "formula", content: "distance = speed × time" },
          { type: "convert", content: `time = ${minutes} min = ${minutes} ÷ 60 h` },
          { type: "calculation", content: `${speed} × ${minutes} = ${speed * minutes}` },
          { type: "calculation", content: `${speed * minutes} ÷ 60 = ${d}` },
          { type: "result", content: `distance = ${d} ${t.unit}` },
        ],
        meta: meta("distance", level, { speed, minutes, distance: d, unit: t.unit }),
      };
    }
  }
  const speed = level === "easy" ? 10 * intBetween(rng, 1, 9) : intBetween(rng, 11, 99);
  const hours = level === "easy" ? intBetween(rng, 1, 5) : intBetween(rng, 2, 12);
  const d = speed * hours;
  return {
    prompt: `${cap(t.who)} travels at ${speed} ${t.speedUnit} for ${hours} hour${hours === 1 ? "" : "s"}. How far does it travel?`,
    final_answer: `${d} ${t.unit}`,
    steps: [
      { type: "formula", content: "distance = speed × time" },
      { type: "substitute", content: `distance = ${speed} ${t.speedUnit} × ${hours} h` },
      { type: "calculation", content: `${speed} × ${hours} = ${d}` },
      { type: "result", content: `distance = ${d} ${t.unit}` },
    ],
    meta: meta("distance", level, { speed, hours, distance: d, unit: t.unit }),
  };
}

function percentage(rng: Rng, level: Level): GeneratedItem {
  const m = pick(rng, MIXES);
  const pct = level === "easy" ? pick(rng, [10, 20, 25, 50, 75]) : level === "medium" ? 5 * intBetween(rng, 1, 19) : intBetween(rng, 1, 99);
  // whole is a multiple of 100 / gcd(pct, 100) so the part is a whole number
  const g = gcd(pct, 100);
  const step = 100 / g;
  const maxK = Math.max(1, Math.floor((level === "hard" ? 2000 : 500) / step));
  const whole = step * intBetween(rng, 1, maxK);
  const product = whole * pct;
  const part = product / 100;
  return {
    prompt: `A ${whole} ${m.unit} ${m.thing} is ${pct}% ${m.part}. How many ${m.unitWord} of ${m.part} does it contain?`,
    final_answer: `${part} ${m.unit}`,
    steps: [
      { type: "formula", content: "part = whole × percent ÷ 100" },
      { type: "calculation", content: `${whole} × ${pct} = ${product}` },
      { type: "calculation", content: `${product} ÷ 100 = ${part}` },
      { type: "result", content: `part = ${part} ${m.unit}` },
    ],
    meta: meta("percentage", level, { whole, percent: pct, part, unit: m.unit }),
  };
}

function unitPrice(rng: Rng, level: Level): GeneratedItem {
  const goods = pick(rng, GOODS);
  const count = level === "easy" ? intBetween(rng, 2, 5) : level === "medium" ? intBetween(rng, 3, 12) : intBetween(rng, 7, 48);
  const priceCents = level === "easy" ? 100 * intBetween(rng, 1, 20) : level === "medium" ? 50 * intBetween(rng, 2, 60) : intBetween(rng, 101, 9999);
  const totalCents = priceCents * count;
  return {
    prompt: `If ${count} ${goods} cost ${formatDollars(totalCents)} in total, what is the cost per item?`,
    final_answer: formatDollars(priceCents),
    steps: [
      { type: "formula", content: "cost per item = total cost ÷ number of items" },
      { type: "convert", content: `${formatDollars(totalCents)} = ${totalCents} cents` },
      { type: "calculation", content: `${totalCents} ÷ ${count} = ${priceCents}` },
      { type: "convert", content: `${priceCents} cents = ${formatDollars(priceCents)}` },
      { type: "result", content: `cost per item = ${formatDollars(priceCents)}` },
    ],
    meta: meta("unit_price", level, { count, total_cents: totalCents, price_cents: priceCents }),
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Draws one word problem according to (parsed) options. */
export function wordProblemItem(rng: Rng, options: z.output<typeof WordProblemOptionsSchema>): GeneratedItem {
  const task = pick(rng, options.tasks);
  const level = pick(rng, options.difficulties);
  return task === "distance" ? distance(rng, level) : task === "percentage" ? percentage(rng, level) : unitPrice(rng, level);
}

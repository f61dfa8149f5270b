import { z } from "zod";
import type { Rng } from "../internal/rng.js";
import { intBetween, pick } from "./random.js";
import type { GeneratedItem } from "./trace-builder.js";

/** A string task the generator can pose. */
export type StringTask = "reverse" | "sort" | "count" | "uppercase" | "repeat";

/** Options of the `string` generator. */
export const StringOptionsSchema = z.strictObject({
  /** Tasks to draw from, uniformly. */
  tasks: z.array(z.enum(["reverse", "sort", "count", "uppercase", "repeat"])).min(1).default(["reverse", "sort", "count", "uppercase", "repeat"]),
});

/** Options of the `string` generator (input form: every field optional). */
export type StringOptions = z.input<typeof StringOptionsSchema>;

const WORDS = [
  "reason", "planet", "banana", "garden", "silver", "rocket", "window", "puzzle", "marble", "orange",
  "tunnel", "forest", "bridge", "candle", "letter", "mirror", "pepper", "coffee", "butter", "shadow",
  "lemon", "river", "cloud", "stone", "tiger", "apple", "piano", "zebra", "melon", "queen",
  "cat", "dog", "sun", "map", "kite", "moon", "book", "tree", "fish", "lamp",
  "balloon", "library", "mountain", "tomato", "volcano", "elephant", "umbrella", "sandwich",
];
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function level(n: number): string {
  return n <= 4 ? "easy" : n <= 7 ? "medium" : "hard";
}

function meta(task: StringTask, difficulty: string, extra: Record<string, unknown>): GeneratedItem["meta"] {
  return { generator: "string", category: "string", task, difficulty, ...extra };
}

function spaced(chars: readonly string[]): string {
  return chars.join(" ");
}

function reverse(rng: Rng): GeneratedItem {
  const word = pick(rng, WORDS);
  const chars = [...word];
  const rev = [...chars].reverse();
  return {
    prompt: `Reverse the string: '${word}'`,
    final_answer: rev.join(""),
    steps: [
      { type: "split", content: `characters: ${spaced(chars)}` },
      { type: "reorder", content: `last to first: ${spaced(rev)}` },
      { type: "result", content: `joined: ${rev.join("")}` },
    ],
    meta: meta("reverse", level(chars.length), { input: word }),
  };
}

function sort(rng: Rng): GeneratedItem {
  const n = intBetween(rng, 3, 10);
  const chars: string[] = [];
  for (let i = 0; i < n; i++) chars.push(UPPER[rng.int(26)]!);
  const sorted = [...chars].sort();
  return {
    prompt: `Sort these characters alphabetically: ${chars.join("")}`,
    final_answer: sorted.join(""),
    steps: [
      { type: "split", content: `characters: ${spaced(chars)}` },
      { type: "reorder", content: `alphabetical order: ${spaced(sorted)}` },
      { type: "result", content: `joined: ${sorted.join("")}` },
    ],
    meta: meta("sort", level(n), { input: chars.join("") }),
  };
}

function count(rng: Rng): GeneratedItem {
  const word = rng.next() < 0.5 ? `${pick(rng, WORDS)} ${pick(rng, WORDS)}` : pick(rng, WORDS);
  const letters = [...word].filter((c) => c !== " ");
  const letter = rng.next() < 0.85 ? pick(rng, letters) : pick(rng, [..."xjqvwz"]);
  const positions: number[] = [];
  [...word].forEach((c, i) => {
    if (c === letter) positions.push(i + 1);
  });
  return {
    prompt: `How many times does the letter '${letter}' appear in '${word}'?`,
    final_answer: String(positions.length),
    steps: [
      { type: "split", content: `characters: ${spaced([...word].map((c) => (c === " " ? "␣" : c)))}` },
      {
        type: "scan",
        content: positions.length > 0 ? `'${letter}' at positions ${positions.join(", ")}` : `'${letter}' does not occur`,
      },
      { type: "result", content: `count: ${positions.length}` },
    ],
    meta: meta("count", level(word.length / 2), { input: word, letter }),
  };
}

function uppercase(rng: Rng): GeneratedItem {
  const n = intBetween(rng, 1, 4);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(pick(rng, WORDS));
  const text = words.join(" ");
  return {
    prompt: `Convert to uppercase: ${text}`,
    final_answer: text.toUpperCase(),
    steps: [
      ...words.map((w) => ({ type: "convert", content: `${w} → ${w.toUpperCase()}` })),
      { type: "result", content: `joined: ${text.toUpperCase()}` },
    ],
    meta: meta("uppercase", level(n * 2), { input: text }),
  };
}

function repeat(rng: Rng): GeneratedItem {
  const unit = rng.next() < 0.5 ? pick(rng, ["ab", "xo", "ha", "abc", "la", "tik", "7", "-="]) : pick(rng, WORDS).slice(0, intBetween(rng, 2, 4));
  const times = intBetween(rng, 2, 6);
  const steps = [];
  let acc = "";
  for (let k = 1; k <= times; k++) {
    acc += unit;
    steps.push({ type: "append", content: `copy ${k}: ${acc}` });
  }
  steps.push({ type: "result", content: `result: ${acc}` });
  return {
    prompt: `Repeat '${unit}' ${times} times.`,
    final_answer: acc,
    steps,
    meta: meta("repeat", level(times), { input: unit, times }),
  };
}

/** Draws one string task according to (parsed) options. */
export function stringItem(rng: Rng, options: z.output<typeof StringOptionsSchema>): GeneratedItem {
  const task = pick(rng, options.tasks);
  switch (task) {
    case "reverse":
      return reverse(rng);
    case "sort":
      return sort(rng);
    case "count":
      return count(rng);
    case "uppercase":
      return uppercase(rng);
    case "repeat":
      return repeat(rng);
  }
}

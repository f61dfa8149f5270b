import { z } from "zod";
import { TunixError } from "../errors.js";
import type { Rng } from "../internal/rng.js";
import { columnName, digitsLsbFirst, operandString, stripZeros } from "./columns.js";
import { intBetween, pick, randomDigits } from "./random.js";
import type { GeneratedItem, StepDraft } from "./trace-builder.js";

/**
 * How arithmetic steps are written.
 * - `compact`: one terse line per column, e.g. `ones: 0-9=-9+10=1 w1 b1` (w = digit written, b = borrow,
 *   c = carry) and a final `result: 891`. A tiny model learns this format fastest.
 * - `verbose`: full sentences, e.g. `ones column: 0 - 9 is below 0, so borrow 10: 10 - 9 = 1, write 1, borrow 1`.
 */
export type ArithmeticStepFormat = "compact" | "verbose";

/** An arithmetic operation the generator can pose. */
export type ArithmeticOperation = "addition" | "subtraction" | "multiplication";

/** Largest operand length (digits) the arithmetic generator accepts; operands stay exact JSON numbers. */
export const MAX_ARITHMETIC_DIGITS = 15;

const digitsSchema = z.union([
  z.number().int().min(1).max(MAX_ARITHMETIC_DIGITS),
  z
    .tuple([z.number().int().min(1).max(MAX_ARITHMETIC_DIGITS), z.number().int().min(1).max(MAX_ARITHMETIC_DIGITS)])
    .refine(([lo, hi]) => lo <= hi, "digits range must be [min, max] with min <= max"),
]);

/** Options of the `arithmetic` generator. */
export const ArithmeticOptionsSchema = z.strictObject({
  /** Operations to draw from, uniformly. */
  operations: z
    .array(z.enum(["addition", "subtraction", "multiplication"]))
    .min(1)
    .default(["addition", "subtraction"]),
  /** Difficulty: digits of the first (longer) operand, a number or an inclusive `[min, max]` range. */
  digits: digitsSchema.default([2, 3]),
  /** Step format; `compact` is what the demo trains on. */
  format: z.enum(["compact", "verbose"]).default("compact"),
  /** Only pose problems with at least one carry (addition) or borrow (subtraction). */
  requireRegroup: z.boolean().default(false),
});

/** Options of the `arithmetic` generator (input form: every field optional). */
export type ArithmeticOptions = z.input<typeof ArithmeticOptionsSchema>;

/** Options of the single-problem trace builders. */
export interface ArithmeticTraceOptions {
  /** Step format (default `compact`). */
  format?: ArithmeticStepFormat;
}

function meta(task: ArithmeticOperation, a: string, b: string, regroups: number): GeneratedItem["meta"] {
  const digits = Math.max(a.length, b.length);
  return {
    generator: "arithmetic",
    category: "arithmetic",
    task,
    difficulty: `${digits}-digit`,
    digits,
    operands: [Number(a), Number(b)],
    regroups,
  };
}

/** Column-by-column addition with carries. */
export function additionItem(aIn: number | string | bigint, bIn: number | string | bigint, options: ArithmeticTraceOptions = {}): GeneratedItem {
  const a = operandString(aIn, "a");
  const b = operandString(bIn, "b");
  const verbose = options.format === "verbose";
  const width = Math.max(a.length, b.length);
  const da = digitsLsbFirst(a, width);
  const db = digitsLsbFirst(b, width);
  const steps: StepDraft[] = [];
  let carry = 0;
  let written = "";
  let regroups = 0;
  for (let k = 0; k < width; k++) {
    const x = da[k]!;
    const y = db[k]!;
    const s = x + y + carry;
    const w = s % 10;
    const c = s >= 10 ? 1 : 0;
    if (c) regroups++;
    const col = columnName(k);
    steps.push({
      type: "column",
      content: verbose
        ? `${col} column: ${x} + ${y}${carry ? " + 1 (carry)" : ""} = ${s}, write ${w}, carry ${c}`
        : `${col}: ${x}+${y}${carry ? "+1" : ""}=${s} w${w} c${c}`,
    });
    written = String(w) + written;
    carry = c;
  }
  const sum = stripZeros((carry ? "1" : "") + written);
  steps.push({
    type: "result",
    content: verbose
      ? carry
        ? `The final carry 1 becomes the leading digit, so the result is ${sum}`
        : `Reading the written digits gives ${sum}`
      : `result: ${sum}`,
  });
  return { prompt: `What is ${a} + ${b}?`, final_answer: sum, steps, meta: meta("addition", a, b, regroups) };
}

/** Column-by-column subtraction with borrows; requires `a >= b` so no column ever goes negative overall. */
export function subtractionItem(aIn: number | string | bigint, bIn: number | string | bigint, options: ArithmeticTraceOptions = {}): GeneratedItem {
  const a = operandString(aIn, "a");
  const b = operandString(bIn, "b");
  if (BigInt(a) < BigInt(b)) {
    throw new TunixError("INVALID_ARGUMENT", `subtraction needs a >= b (no negative results), got ${a} - ${b}`);
  }
  const verbose = options.format === "verbose";
  const width = a.length;
  const da = digitsLsbFirst(a, width);
  const db = digitsLsbFirst(b, width);
  const steps: StepDraft[] = [];
  let borrow = 0;
  let written = "";
  let regroups = 0;
  for (let k = 0; k < width; k++) {
    const x = da[k]!;
    const y = db[k]!;
    const d = x - y - borrow;
    const col = columnName(k);
    const expr = verbose ? `${x} - ${y}${borrow ? " - 1 (borrow)" : ""}` : `${x}-${y}${borrow ? "-1" : ""}`;
    let w: number;
    let content: string;
    if (d < 0) {
      w = d + 10;
      regroups++;
      content = verbose
        ? `${col} column: ${expr} is below 0, so borrow 10: ${x + 10} - ${y}${borrow ? " - 1" : ""} = ${w}, write ${w}, borrow 1`
        : `${col}: ${expr}=${d}+10=${w} w${w} b1`;
    } else {
      w = d;
      content = verbose ? `${col} column: ${expr} = ${d}, write ${w}, borrow 0` : `${col}: ${expr}=${d} w${w} b0`;
    }
    steps.push({ type: "column", content });
    written = String(w) + written;
    borrow = d < 0 ? 1 : 0;
  }
  const diff = stripZeros(written);
  steps.push({ type: "result", content: verbose ? `Reading the written digits gives ${diff}` : `result: ${diff}` });
  return { prompt: `What is ${a} - ${b}?`, final_answer: diff, steps, meta: meta("subtraction", a, b, regroups) };
}

/** Long multiplication: one partial product per digit of `b` (shifted by its place), then their sum. */
export function multiplicationItem(aIn: number | string | bigint, bIn: number | string | bigint, options: ArithmeticTraceOptions = {}): GeneratedItem {
  const a = operandString(aIn, "a");
  const b = operandString(bIn, "b");
  const verbose = options.format === "verbose";
  const db = digitsLsbFirst(b, b.length);
  const steps: StepDraft[] = [];
  const partials: string[] = [];
  db.forEach((d, k) => {
    const p = (BigInt(a) * BigInt(d)).toString();
    const shifted = p === "0" ? "0" : p + "0".repeat(k);
    partials.push(shifted);
    const col = columnName(k);
    steps.push({
      type: "partial_product",
      content: verbose
        ? `Multiply ${a} by the ${col} digit ${d}: ${a} × ${d} = ${p}${k > 0 ? `, shifted ${k} place${k > 1 ? "s" : ""} left: ${shifted}` : ""}`
        : `${col}: ${a}*${d}=${p}${k > 0 ? ` -> ${shifted}` : ""}`,
    });
  });
  const product = (BigInt(a) * BigInt(b)).toString();
  if (partials.length > 1) {
    steps.push({
      type: "sum",
      content: verbose
        ? `Add the partial products: ${partials.join(" + ")} = ${product}`
        : `sum: ${partials.join("+")}=${product}`,
    });
  }
  steps.push({ type: "result", content: verbose ? `The product is ${product}` : `result: ${product}` });
  return { prompt: `What is ${a} × ${b}?`, final_answer: product, steps, meta: meta("multiplication", a, b, 0) };
}

/** Draws one arithmetic problem according to (parsed) options. */
export function arithmeticItem(rng: Rng, options: z.output<typeof ArithmeticOptionsSchema>): GeneratedItem {
  const [lo, hi] = typeof options.digits === "number" ? [options.digits, options.digits] : options.digits;
  const operation = pick(rng, options.operations);
  const format = options.format;
  for (let attempt = 0; attempt < 100; attempt++) {
    const digits = intBetween(rng, lo, hi);
    let a = randomDigits(rng, digits);
    const bDigits =
      operation === "multiplication"
        ? intBetween(rng, 1, digits)
        : digits === 1 || rng.next() < 0.75
          ? digits
          : intBetween(rng, 1, digits - 1);
    let b = randomDigits(rng, bDigits);
    if (operation === "addition" && rng.next() < 0.5) [a, b] = [b, a];
    if (operation === "subtraction" && BigInt(a) < BigInt(b)) [a, b] = [b, a];
    const item =
      operation === "addition"
        ? additionItem(a, b, { format })
        : operation === "subtraction"
          ? subtractionItem(a, b, { format })
          : multiplicationItem(a, b, { format });
    if (!options.requireRegroup || operation === "multiplication" || (item.meta.regroups as number) > 0) return item;
  }
  throw new TunixError(
    "INVALID_ARGUMENT",
    `requireRegroup: no ${operation} with a ${operation === "addition" ? "carry" : "borrow"} found for ${lo}..${hi}-digit operands in 100 draws`,
  );
}

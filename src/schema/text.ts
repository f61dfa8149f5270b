import { z } from "zod";
import { codePointLength } from "../internal/codepoints.js";

/**
 * A string whose length, counted in Unicode code points (as Python counts it), lies in [min, max].
 * zod's own `.min`/`.max` count UTF-16 units, which would accept a different set of strings than the
 * Python tunix-rt for text outside the Basic Multilingual Plane.
 */
export function codePointString(min: number, max: number) {
  return z.string().superRefine((value, ctx) => {
    const n = codePointLength(value);
    if (n < min) {
      ctx.addIssue({
        code: "too_small",
        origin: "string",
        minimum: min,
        inclusive: true,
        input: value,
        message: min === 1 ? "must not be empty" : `too short: ${n} characters (min ${min})`,
      });
    } else if (n > max) {
      ctx.addIssue({
        code: "too_big",
        origin: "string",
        maximum: max,
        inclusive: true,
        input: value,
        message: `too long: ${n} characters (max ${max})`,
      });
    }
  });
}

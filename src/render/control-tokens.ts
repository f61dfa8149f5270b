import { TunixError } from "../errors.js";

/**
 * Gemma's control tokens. Inside trace content they would forge turns or end a sequence early, so the
 * training renderers refuse them by default (see {@link ControlTokenPolicy}).
 */
export const GEMMA_CONTROL_TOKENS: readonly string[] = Object.freeze([
  "<bos>",
  "<eos>",
  "<start_of_turn>",
  "<end_of_turn>",
  "<pad>",
]);

/**
 * What the training renderers do with a Gemma control token found inside trace content:
 * - `"reject"` (default): throw `TunixError("CONTROL_TOKEN_IN_CONTENT")` naming the field;
 * - `"strip"`: remove every occurrence (repeatedly, so removal cannot assemble a new token);
 * - `"keep"`: leave the text unchanged (the rendered conversation may then contain forged turns,
 *   and {@link parseResponse} round trips are no longer guaranteed).
 */
export type ControlTokenPolicy = "reject" | "strip" | "keep";

/** The first control token occurring in `text` (by position), or undefined. */
export function findControlToken(text: string): { token: string; index: number } | undefined {
  // Every token starts with "<" and none is a prefix of another, so checking each "<" in turn finds the
  // earliest one: one scan of the text instead of one per token (and none at all for text without "<").
  for (let index = text.indexOf("<"); index >= 0; index = text.indexOf("<", index + 1)) {
    for (const token of GEMMA_CONTROL_TOKENS) if (text.startsWith(token, index)) return { token, index };
  }
  return undefined;
}

/** Removes every control token, repeating until none is left (`<bo<eos>s>` cannot survive as `<bos>`). */
export function stripControlTokens(text: string): string {
  let out = text;
  for (;;) {
    let next = out;
    for (const token of GEMMA_CONTROL_TOKENS) next = next.split(token).join("");
    if (next === out) return out;
    out = next;
  }
}

/**
 * Applies a {@link ControlTokenPolicy} to one field of trace content.
 *
 * @param text - the field's text.
 * @param field - the field's path for the error message, e.g. `steps[2].content` (or a function giving
 *   it, so that hot loops build the name only for an error).
 * @param policy - what to do with control tokens.
 */
export function applyControlTokenPolicy(text: string, field: string | (() => string), policy: ControlTokenPolicy): string {
  if (policy === "keep") return text;
  if (policy === "strip") return stripControlTokens(text);
  const found = findControlToken(text);
  if (found) {
    if (typeof field === "function") field = field();
    throw new TunixError(
      "CONTROL_TOKEN_IN_CONTENT",
      `${field} contains the Gemma control token ${found.token} at offset ${found.index}; it would forge a chat turn. ` +
        `Remove it, or pass controlTokens: "strip" or "keep".`,
      { details: { field, token: found.token, index: found.index } },
    );
  }
  return text;
}

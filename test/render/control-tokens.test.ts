import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findControlToken } from "../../src/render/control-tokens.js";
import { GEMMA_CONTROL_TOKENS } from "../../src/render/index.js";

/** The definition: the token with the smallest indexOf. */
function earliest(text: string): { token: string; index: number } | undefined {
  let best: { token: string; index: number } | undefined;
  for (const token of GEMMA_CONTROL_TOKENS) {
    const index = text.indexOf(token);
    if (index >= 0 && (best === undefined || index < best.index)) best = { token, index };
  }
  return best;
}

describe("findControlToken", () => {
  it("finds the earliest control token, as the smallest indexOf over all tokens", () => {
    const piece = fc.oneof(fc.constantFrom(...GEMMA_CONTROL_TOKENS, "<", ">", "<bo", "s>", "<end_of", "_turn>", "<<"), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        expect(findControlToken(text)).toEqual(earliest(text));
      }),
      { numRuns: 2000 },
    );
  });
});

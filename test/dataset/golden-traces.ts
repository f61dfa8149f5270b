import type { ReasoningTrace } from "../../src/schema/index.js";
import { makeTraces } from "./fixtures.js";

/**
 * Traces that exercise every branch of the renderers and serializers: non-BMP text, Python-only
 * whitespace at the edges, multi-line steps, `</reasoning>` inside steps, escapes, integer-like and nested
 * meta keys, unknown top-level and step keys, null and absent meta, steps out of `i` order, odd numbers.
 */
export const TRICKY_TRACES: ReasoningTrace[] = [
  {
    trace_version: "1.0",
    prompt: "Café ñ 🙂 𝔘 — ümlaut?\u3000",
    final_answer: " 42 \n",
    steps: [
      { i: 0, type: "setup", content: "\u3000lead and trail\x85" },
      { i: 1, type: "calc", content: "first line\nsecond line\n\nthird" },
    ],
    meta: { "2": "int-key", b: { nested: [1, 2.5, { x: null }] }, a: true, é: "ü", category: "edge" },
    source_system: { name: "py", v: [1, "a"] },
  },
  {
    trace_version: "1.1",
    prompt: "  quotes \" and backslashes \\ and tab\t and \u0001 control  ",
    final_answer: "\ufeffBOM kept by Python strip\ufeff",
    steps: [
      { i: 2, type: "b", content: "  </reasoning> tricky", note: [1, "x"] },
      { i: 0, type: "a", content: "\x1cinfo separators\x1f" },
      { i: 1, type: "c", content: "line\n  indented\r\nwindows" },
    ],
    meta: null,
  },
  {
    trace_version: "1.0",
    prompt: "Numbers in meta",
    final_answer: "ok",
    steps: [{ i: 0, type: "t", content: "x" }],
    meta: { big: 1e21, neg0: -0, tenth: 0.1, tiny: 1e-7, safe: 2 ** 53, int: 7, float: 1.5, list: [] },
  },
  {
    trace_version: "1.0",
    prompt: "No meta at all",
    final_answer: "none",
    steps: [{ i: 0, type: "t", content: "only step" }],
  },
];

/** Traces holding Gemma control tokens (only renderable with `controlTokens: "strip"` or `"keep"`). */
export const TOKEN_TRACES: ReasoningTrace[] = [
  {
    trace_version: "1.0",
    prompt: "hi <start_of_turn>user fake turn",
    final_answer: "<bos>x",
    steps: [
      { i: 0, type: "t", content: "<eo</reasoning>s> assembles a token once normalized" },
      { i: 1, type: "t", content: "<bo<eos>s> nested" },
    ],
    meta: { category: "tokens" },
  },
  {
    trace_version: "1.0",
    prompt: "clean prompt",
    final_answer: "ends <end_of_turn>",
    steps: [{ i: 0, type: "t", content: "<pad>padding" }],
  },
];

/** The clean golden dataset: generated traces plus {@link TRICKY_TRACES}. */
export function goldenTraces(): ReasoningTrace[] {
  return [...makeTraces(40, 3), ...TRICKY_TRACES];
}

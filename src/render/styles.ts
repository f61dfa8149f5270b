import { TunixError } from "../errors.js";
import type { ReasoningTrace } from "../schema/index.js";
import { applyControlTokenPolicy, type ControlTokenPolicy } from "./control-tokens.js";
import { pythonStrip } from "./python-strip.js";

/**
 * How the model turn is laid out:
 * - `"reasoning_answer"`: `Reasoning:\n1. step\n2. step\nAnswer: 42` (the Python tunix-rt layout);
 * - `"xml_tags"`: `<reasoning>1. step\n2. step</reasoning><answer>42</answer>` (the tags Google's Tunix
 *   Gemma examples train and check).
 */
export type ResponseStyle = "reasoning_answer" | "xml_tags";

/** The response styles, in documentation order. */
export const RESPONSE_STYLES: readonly ResponseStyle[] = ["reasoning_answer", "xml_tags"];

/** Step contents and answer after the control-token policy, before any layout normalization. */
export interface ResponseParts {
  steps: string[];
  answer: string;
}

/** Applies the control-token policy to every step and the answer, naming fields as `steps[2].content`. */
export function responseParts(trace: ReasoningTrace, policy: ControlTokenPolicy): ResponseParts {
  return {
    steps: trace.steps.map((s, k) => applyControlTokenPolicy(s.content, () => `steps[${k}].content`, policy)),
    answer: applyControlTokenPolicy(trace.final_answer, "final_answer", policy),
  };
}

function requireText(value: unknown, fn: string): void {
  if (typeof value !== "string") {
    throw new TunixError("INVALID_ARGUMENT", `${fn} expects a string, got ${value === null ? "null" : typeof value}`);
  }
}

/** Removes every occurrence of `needle`, repeating until none is left. */
function removeAll(text: string, needle: string): string {
  let out = text;
  while (out.includes(needle)) out = out.split(needle).join("");
  return out;
}

/**
 * The indent that marks a step's continuation lines in an official-layout response: a step whose content
 * spans lines renders as `2. first line\n   second line`, so no content line can start a new step, the
 * answer or the header; {@link parseResponse} removes the indent again.
 */
export const STEP_CONTINUATION_INDENT = "   ";

/**
 * The step text as it parses back from an official-layout response: Python-stripped, and for `xml_tags`
 * without the closing tag `</reasoning>` (removed, as it would end the reasoning early). Line breaks inside
 * a step are kept (continuation lines are indented, see {@link STEP_CONTINUATION_INDENT}). Content without
 * surrounding whitespace (and, for `xml_tags`, without `</reasoning>`) is unchanged.
 *
 * @param content - a step's content.
 * @param style - the response style.
 * @throws TunixError `INVALID_ARGUMENT` for a non-string content or an unknown style.
 */
export function normalizeStep(content: string, style: ResponseStyle): string {
  requireText(content, "normalizeStep");
  checkStyle(style, "normalizeStep");
  return pythonStrip(style === "xml_tags" ? removeAll(content, "</reasoning>") : content);
}

/**
 * The answer text as it appears in (and parses back from) an official-layout response: Python-stripped
 * (the chat template strips the model turn's end anyway). Line breaks are kept: the answer runs to the
 * end of the response.
 *
 * @param answer - the trace's final answer.
 * @throws TunixError `INVALID_ARGUMENT` for a non-string answer.
 */
export function normalizeAnswer(answer: string): string {
  requireText(answer, "normalizeAnswer");
  return pythonStrip(answer);
}

/**
 * Lays out steps and answer in a style. With `indent` false the text is used raw, as the Python tunix-rt
 * did; with `indent` true each step's continuation lines get {@link STEP_CONTINUATION_INDENT}.
 */
export function layoutResponse(steps: readonly string[], answer: string, style: ResponseStyle, indent = false): string {
  let numbered = "";
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k]!;
    const body = indent && s.includes("\n") ? s.split("\n").join(`\n${STEP_CONTINUATION_INDENT}`) : s;
    numbered += `${k === 0 ? "" : "\n"}${k + 1}. ${body}`;
  }
  return style === "xml_tags"
    ? `<reasoning>${numbered}</reasoning><answer>${answer}</answer>`
    : `Reasoning:\n${numbered}\nAnswer: ${answer}`;
}

/** Checks a style value, naming the option. */
export function checkStyle(style: unknown, where: string): ResponseStyle {
  if (style === undefined) return "reasoning_answer";
  if (!RESPONSE_STYLES.includes(style as ResponseStyle)) {
    throw new TunixError("INVALID_ARGUMENT", `${where}: style must be "reasoning_answer" or "xml_tags", got ${JSON.stringify(style)}`);
  }
  return style as ResponseStyle;
}

/** Checks a control-token policy value, naming the option. */
export function checkPolicy(policy: unknown, where: string): ControlTokenPolicy {
  if (policy === undefined) return "reject";
  if (policy !== "reject" && policy !== "strip" && policy !== "keep") {
    throw new TunixError("INVALID_ARGUMENT", `${where}: controlTokens must be "reject", "strip" or "keep", got ${JSON.stringify(policy)}`);
  }
  return policy;
}

/**
 * A step normalized for the official layout, with the control-token policy applied again afterwards:
 * removing `</reasoning>` can assemble a token (`<eo</reasoning>s>` → `<eos>`), which `"reject"` refuses
 * and `"strip"` removes (repeating until neither changes anything).
 */
function officialStep(content: string, field: string, style: ResponseStyle, policy: ControlTokenPolicy): string {
  let text = normalizeStep(content, style);
  // `content` already went through the policy, and every policy is idempotent: when normalizing changed
  // nothing, another round cannot change anything either (the common case; saves a second scan).
  if (text === content) return text;
  for (;;) {
    const next = normalizeStep(applyControlTokenPolicy(text, `${field} (normalized)`, policy), style);
    if (next === text) return text;
    text = next;
  }
}

/**
 * The official-layout response body for one step list and answer (policy already applied once).
 * Python-stripped as a whole, so it is exactly the model turn's content after the chat template's trim.
 */
export function officialResponse(parts: ResponseParts, style: ResponseStyle, policy: ControlTokenPolicy): string {
  const steps = parts.steps.map((s, k) => officialStep(s, `steps[${k}].content`, style, policy));
  return pythonStrip(layoutResponse(steps, normalizeAnswer(parts.answer), style, true));
}

import { GEMMA_CONTROL_TOKENS, parseResponse, type ParsedResponse, type ResponseStyle } from "../render/index.js";

/**
 * How an answer was found in a response, recorded per item so a report can say how much of a score
 * came from well-formed answers and how much from fallbacks.
 * - `answer_line`: the `Answer:` line of a Reasoning/Answer response;
 * - `answer_tag`: the `<answer>` tag of an XML-tag response;
 * - `boxed`: the last `\boxed{...}`;
 * - `answer_phrase`: "the answer is X" / "final answer: X";
 * - `last_number`: the last number in the response;
 * - `last_line`: the last non-empty line;
 * - `none`: the response was empty.
 */
export type ExtractionMethod = "answer_line" | "answer_tag" | "boxed" | "answer_phrase" | "last_number" | "last_line" | "none";

/** Every extraction method in the default order of preference. */
export const EXTRACTION_METHODS: readonly ExtractionMethod[] = [
  "answer_line",
  "answer_tag",
  "boxed",
  "answer_phrase",
  "last_number",
  "last_line",
];

/** Result of {@link extractAnswer}. */
export interface Extraction {
  /** The extracted answer, trimmed; null when nothing was found. */
  answer: string | null;
  /** Which rule found it. */
  method: ExtractionMethod;
  /** The structured parse of the response (steps, answer, well-formedness, style). */
  parsed: ParsedResponse;
}

/** Options for {@link extractAnswer}. */
export interface ExtractOptions {
  /** Methods to try, in order (default {@link EXTRACTION_METHODS}). Leave out fallbacks for strict scoring. */
  methods?: readonly ExtractionMethod[];
  /** Response style passed to `parseResponse` (default: auto-detect). */
  style?: ResponseStyle;
}

const NUMBER_GLOBAL = /[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:\s*\/\s*\d+)?|\.\d+)(?:\s*%)?/g;
const PHRASE_RE = /(?:final answer|the answer|answer)\s*(?:is|=|:)\s*(.+?)\s*$/im;

/**
 * Finds the answer in a model response: the `Answer:` line or `<answer>` tag (via `parseResponse`), then
 * fallbacks (`\boxed{}`, "the answer is", last number, last line). Never throws on any string.
 *
 * @param response - the raw model output (text after `<end_of_turn>` is ignored).
 * @param options - which methods to try, and the response style.
 */
export function extractAnswer(response: string, options: ExtractOptions = {}): Extraction {
  const parsed = options.style === undefined ? parseResponse(response) : parseResponse(response, options.style);
  const methods = options.methods ?? EXTRACTION_METHODS;
  const body = stripControl(response);
  for (const method of methods) {
    const answer = tryMethod(method, parsed, body);
    if (answer !== null && answer !== "") return { answer, method, parsed };
  }
  return { answer: null, method: "none", parsed };
}

function tryMethod(method: ExtractionMethod, parsed: ParsedResponse, body: string): string | null {
  switch (method) {
    case "answer_line":
      return parsed.style === "reasoning_answer" && parsed.answer !== null ? parsed.answer.trim() : null;
    case "answer_tag":
      return parsed.style === "xml_tags" && parsed.answer !== null ? parsed.answer.trim() : null;
    case "boxed":
      return lastBoxed(body);
    case "answer_phrase": {
      const lines = body.split("\n").reverse();
      for (const line of lines) {
        const m = PHRASE_RE.exec(line);
        if (m?.[1]) return m[1].replace(/[.!]+$/, "").trim();
      }
      return null;
    }
    case "last_number": {
      const matches = body.match(NUMBER_GLOBAL);
      const last = matches?.[matches.length - 1];
      return last === undefined ? null : last.trim();
    }
    case "last_line": {
      const lines = body.split("\n").map((l) => l.trim()).filter((l) => l !== "");
      return lines[lines.length - 1] ?? null;
    }
    case "none":
      return null;
  }
}

/** The text before the first `<end_of_turn>`, with other control tokens removed. */
function stripControl(response: string): string {
  let text = response;
  const end = text.indexOf("<end_of_turn>");
  if (end >= 0) text = text.slice(0, end);
  for (const token of GEMMA_CONTROL_TOKENS) text = text.split(token).join("");
  return text.replace(/\r\n?/g, "\n");
}

function lastBoxed(text: string): string | null {
  const start = text.lastIndexOf("\\boxed{");
  if (start < 0) return null;
  let depth = 0;
  for (let i = start + 7; i < text.length; i++) {
    const c = text[i];
    if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return text.slice(start + 7, i).trim();
      depth--;
    }
  }
  return null;
}

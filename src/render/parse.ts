import { TunixError } from "../errors.js";
import { findControlToken } from "./control-tokens.js";
import { pythonLstrip, pythonStrip } from "./python-strip.js";
import { checkStyle, STEP_CONTINUATION_INDENT, type ResponseStyle } from "./styles.js";

/** What {@link parseResponse} recovered from a model response. */
export interface ParsedResponse {
  /** Step texts in order, numbering removed, Python-stripped. Empty when none were found. */
  steps: string[];
  /** The answer text, Python-stripped; null when the response has no answer marker. */
  answer: string | null;
  /**
   * True when the response follows its style exactly: `reasoning_answer` — a `Reasoning:` header, steps
   * numbered 1..n, then a non-empty `Answer:`; `xml_tags` — nothing before `<reasoning>`, a non-empty
   * reasoning closed by `</reasoning>`, then a non-empty `<answer>…</answer>` with nothing after it
   * (the check Google's Tunix examples use). Text after a control token never counts against it.
   */
  wellFormed: boolean;
  /** The style parsed (given or detected); null when no style could be detected. */
  style: ResponseStyle | null;
}

const GENERATION_PROMPT = /^<start_of_turn>model\r?\n/;
const STEP_LINE = /^(\d+)\.([ \t][^]*)?$/;

/**
 * The response body: a leading `<bos>` and any turns before the first model turn (a whole rendered
 * conversation) or an echoed generation prompt are skipped; the body is cut at the first control token.
 */
function bodyOf(text: string): string {
  let t = pythonLstrip(text);
  if (t.startsWith("<bos>")) t = t.slice("<bos>".length);
  if (/^<start_of_turn>(user|system)\b/.test(t)) {
    const model = /<start_of_turn>model\r?\n/.exec(t);
    t = model ? t.slice(model.index + model[0].length) : "";
  } else {
    const echo = GENERATION_PROMPT.exec(t);
    if (echo) t = t.slice(echo[0].length);
  }
  const cut = findControlToken(t);
  return cut ? t.slice(0, cut.index) : t;
}

function detectStyle(body: string): ResponseStyle | null {
  // The opening decides first, so content quoting the other style's markers cannot mislead detection.
  const lead = pythonLstrip(body);
  if (lead.startsWith("<reasoning>")) return "xml_tags";
  if (/^reasoning[ \t]*:/i.test(lead)) return "reasoning_answer";
  if (body.includes("<reasoning>") || body.includes("<answer>")) return "xml_tags";
  for (const line of body.split("\n")) {
    if (/^(reasoning|answer)[ \t]*:/i.test(pythonLstrip(line))) return "reasoning_answer";
  }
  return null;
}

/**
 * Steps from lines. A line `N. text` at column 0 starts a step (before the first step an indented one
 * does too); other lines continue the current step, losing one {@link STEP_CONTINUATION_INDENT}.
 */
function stepsOf(lines: readonly string[]): { steps: string[]; numbered: boolean; stray: boolean } {
  const raw: string[] = [];
  const numbers: number[] = [];
  let stray = false;
  for (const line of lines) {
    const m = STEP_LINE.exec(line) ?? (raw.length === 0 ? STEP_LINE.exec(pythonLstrip(line)) : null);
    if (m) {
      numbers.push(Number(m[1]));
      raw.push(m[2] ?? "");
    } else if (raw.length > 0) {
      const text = line.startsWith(STEP_CONTINUATION_INDENT) ? line.slice(STEP_CONTINUATION_INDENT.length) : line;
      raw[raw.length - 1] += `\n${text}`;
    } else if (pythonStrip(line) !== "") {
      stray = true;
    }
  }
  const numbered = numbers.length > 0 && numbers.every((n, k) => n === k + 1);
  return { steps: raw.map(pythonStrip), numbered, stray };
}

const ANSWER_LINE = /^answer[ \t]*:/i;

function parseReasoningAnswer(body: string): ParsedResponse {
  const lines = body.split("\n");
  // The answer line starts at column 0 (indented lines continue a step); failing that, any indented one.
  let at = lines.findIndex((l) => ANSWER_LINE.test(l));
  if (at < 0) at = lines.findIndex((l) => ANSWER_LINE.test(pythonLstrip(l)));
  let answer: string | null = null;
  if (at >= 0) {
    const first = pythonLstrip(lines[at]!).replace(ANSWER_LINE, "");
    answer = pythonStrip([first, ...lines.slice(at + 1)].join("\n"));
  }
  const before = at >= 0 ? lines.slice(0, at) : lines;
  const start = before.findIndex((l) => pythonStrip(l) !== "");
  const header = start >= 0 && /^reasoning[ \t]*:$/i.test(pythonStrip(before[start]!));
  const { steps, numbered, stray } = stepsOf(header ? before.slice(start + 1) : before);
  const wellFormed = header && steps.length > 0 && numbered && !stray && answer !== null && answer !== "";
  return { steps, answer, wellFormed, style: "reasoning_answer" };
}

function parseXmlTags(body: string): ParsedResponse {
  const rOpen = body.indexOf("<reasoning>");
  const rStart = rOpen >= 0 ? rOpen + "<reasoning>".length : -1;
  const rClose = rStart >= 0 ? body.indexOf("</reasoning>", rStart) : -1;
  const aOpen = body.indexOf("<answer>", rClose >= 0 ? rClose + "</reasoning>".length : Math.max(rStart, 0));
  let answer: string | null = null;
  let closed = false;
  let tail = "";
  if (aOpen >= 0) {
    const aStart = aOpen + "<answer>".length;
    const aClose = body.lastIndexOf("</answer>");
    closed = aClose >= aStart;
    answer = pythonStrip(closed ? body.slice(aStart, aClose) : body.slice(aStart));
    tail = closed ? body.slice(aClose + "</answer>".length) : "";
  }
  let steps: string[] = [];
  if (rStart >= 0) {
    const reasoning = body.slice(rStart, rClose >= 0 ? rClose : aOpen >= 0 ? aOpen : body.length);
    const lines = reasoning.split("\n");
    const parsed = stepsOf(lines);
    steps = parsed.numbered || (parsed.steps.length > 0 && !parsed.stray)
      ? parsed.steps
      : lines.map(pythonStrip).filter((l) => l !== "");
  }
  const wellFormed =
    rOpen >= 0 && pythonStrip(body.slice(0, rOpen)) === "" && rClose >= 0 && steps.length > 0 &&
    closed && answer !== null && answer !== "" && pythonStrip(tail) === "";
  return { steps, answer, wellFormed, style: "xml_tags" };
}

/**
 * Recovers steps and answer from a model response (or a rendered model turn, or a whole rendered
 * conversation, whose first model turn is read). Tolerant: an echoed `<start_of_turn>model\n` is skipped,
 * everything from the first Gemma control token on (`<end_of_turn>`, `<eos>`, ...) is ignored, end
 * markers may be missing, `\r\n` line ends are accepted, and `Answer:` / `Reasoning:` match
 * case-insensitively. In `reasoning_answer`, a line `N. text` starts a step, other lines
 * continue it (an indent of {@link STEP_CONTINUATION_INDENT} removed), and the first line starting with
 * `Answer:` at column 0 (else the first indented one) begins the answer, which runs to the end. In
 * `xml_tags`, steps come from the numbered lines inside `<reasoning>` (or its non-empty lines when it is not
 * numbered) and the answer lies between the first `<answer>` after the reasoning and the last `</answer>`.
 *
 * For any trace, `parseResponse(renderResponse(trace, {style}), style)` returns the rendered step texts and
 * answer, which equal the trace's own whenever the content has no surrounding whitespace (and, for
 * `xml_tags`, no `</reasoning>` inside a step); see {@link normalizeStep} and {@link normalizeAnswer}.
 *
 * @param text - the model's output; any string (never throws for a string).
 * @param style - the expected style; detected from the text when omitted or null: by its opening
 *   (`<reasoning>` → `xml_tags`, `Reasoning:` → `reasoning_answer`), else by `<reasoning>`/`<answer>` tags
 *   anywhere (`xml_tags`) or a line starting with `Reasoning:` or `Answer:` (`reasoning_answer`), else
 *   `style: null` with no steps and no answer.
 * @throws TunixError `INVALID_ARGUMENT` when `text` is not a string or `style` is unknown.
 */
export function parseResponse(text: string, style?: ResponseStyle | null): ParsedResponse {
  if (typeof text !== "string") {
    throw new TunixError("INVALID_ARGUMENT", `parseResponse expects a string, got ${text === null ? "null" : typeof text}`);
  }
  const body = bodyOf(text);
  const s = style === undefined || style === null ? detectStyle(body) : checkStyle(style, "parseResponse");
  if (s === null) return { steps: [], answer: null, wellFormed: false, style: null };
  return s === "xml_tags" ? parseXmlTags(body) : parseReasoningAnswer(body);
}

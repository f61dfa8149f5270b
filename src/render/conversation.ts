import type { ChatMessage, PromptCompletion, ReasoningTrace } from "../schema/index.js";
import { applyControlTokenPolicy } from "./control-tokens.js";
import { renderCheckedChat } from "./gemma.js";
import { resolveOptions, validTrace, type RenderTraceOptions, type ResolvedOptions } from "./options.js";
import { layoutResponse, officialResponse, responseParts } from "./styles.js";

/**
 * The model-turn body for a trace, e.g. `Reasoning:\n1. step\n2. step\nAnswer: 42` or
 * `<reasoning>1. step\n2. step</reasoning><answer>42</answer>`. Steps appear in array order, numbered
 * from 1. The text is what {@link parseResponse} reads back: a step's continuation lines are indented
 * ({@link STEP_CONTINUATION_INDENT}) so they never look like a new step or the answer, the answer runs to
 * the end, step texts and answer are Python-stripped ({@link normalizeStep}), and the body as a whole is
 * Python-stripped, as the chat template would strip it.
 *
 * @param trace - a reasoning trace (validated).
 * @param options - `style` (default `"reasoning_answer"`) and `controlTokens` (default `"reject"`).
 * @throws TraceValidationError for an invalid trace; TunixError `CONTROL_TOKEN_IN_CONTENT` naming the
 *   field (e.g. `steps[2].content`) when content holds a Gemma control token and the policy is `"reject"`.
 */
export function renderResponse(
  trace: ReasoningTrace,
  options?: Pick<RenderTraceOptions, "style" | "controlTokens">,
): string {
  const o = resolveOptions(options, "renderResponse");
  const t = validTrace(trace);
  return officialResponse(responseParts(t, o.controlTokens), o.style, o.controlTokens);
}

/** The rendered pieces of one trace under resolved options. */
export interface TraceTurns {
  /** First user message text with any system instruction folded in (tunix-rt and gemma2). */
  user: string;
  /** The system instruction kept separate (official gemma3 only), else "". */
  system: string;
  /** The prompt after the control-token policy. */
  prompt: string;
  /** The model-turn body. */
  response: string;
}

/** Applies the policy to every field and builds the user and model texts. */
export function traceTurns(t: ReasoningTrace, o: ResolvedOptions): TraceTurns {
  const prompt = applyControlTokenPolicy(t.prompt, "prompt", o.controlTokens);
  const sys = applyControlTokenPolicy(o.systemInstruction, "systemInstruction", o.controlTokens);
  const parts = responseParts(t, o.controlTokens);
  const official = o.compat === "official";
  const response = official ? officialResponse(parts, o.style, o.controlTokens) : layoutResponse(parts.steps, parts.answer, o.style);
  const separate = official && o.template === "gemma3" && sys !== "";
  const user = sys !== "" && !separate ? `${sys}\n\n${prompt}` : prompt;
  return { user, system: separate ? sys : "", prompt, response };
}

/** The chat messages for rendered turns: `system`? + `user` + `assistant`. */
export function messagesOf(turns: TraceTurns): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (turns.system !== "") out.push({ role: "system", content: turns.system });
  out.push({ role: "user", content: turns.user });
  out.push({ role: "assistant", content: turns.response });
  return out;
}

/**
 * The conversation for a trace as chat messages (`system`?, `user`, `assistant`), the format TRL and
 * Tunix consume. With gemma3 (default) a system instruction is its own `system` message; with gemma2 or
 * `compat: "tunix-rt"` it is folded into the user message followed by a blank line.
 *
 * @param trace - a reasoning trace (validated).
 * @param options - see {@link RenderTraceOptions}.
 */
export function traceToMessages(trace: ReasoningTrace, options?: RenderTraceOptions): ChatMessage[] {
  const o = resolveOptions(options, "traceToMessages");
  return messagesOf(traceTurns(validTrace(trace), o));
}

/** Python tunix-rt layout: the prompt up to the model turn, and the model turn without a final newline. */
function tunixRtSplit(turns: TraceTurns, o: ResolvedOptions): PromptCompletion {
  return {
    prompt: `${o.bosToken}<start_of_turn>user\n${turns.user}<end_of_turn>\n<start_of_turn>model\n`,
    completion: `${turns.response}<end_of_turn>`,
  };
}

/** The whole rendered conversation for resolved options (the `tunix_sft` text): renderConversation's `full`, alone. */
export function conversationText(t: ReasoningTrace, o: ResolvedOptions): string {
  const turns = traceTurns(t, o);
  if (o.compat === "tunix-rt") {
    const { prompt, completion } = tunixRtSplit(turns, o);
    return prompt + completion;
  }
  return renderCheckedChat(messagesOf(turns), o.template, o.bosToken, false);
}

/** Full conversation and its prompt/completion split, for resolved options. */
export function renderConversation(t: ReasoningTrace, o: ResolvedOptions): { full: string } & PromptCompletion {
  const turns = traceTurns(t, o);
  if (o.compat === "tunix-rt") {
    const { prompt, completion } = tunixRtSplit(turns, o);
    return { full: prompt + completion, prompt, completion };
  }
  const messages = messagesOf(turns);
  const full = renderCheckedChat(messages, o.template, o.bosToken, false);
  const prompt = renderCheckedChat(messages.slice(0, -1), o.template, o.bosToken, true);
  // By construction the official template renders the prompt as a prefix of the full conversation.
  if (!full.startsWith(prompt)) throw new Error("internal: rendered prompt is not a prefix of the conversation");
  return { full, prompt, completion: full.slice(prompt.length) };
}

import { TunixError } from "../errors.js";
import type { ChatMessage, PromptCompletion, ReasoningTrace, TrainingExample } from "../schema/index.js";
import { conversationText, messagesOf, renderConversation, traceTurns } from "./conversation.js";
import { resolveOptions, validTrace, type RenderTraceOptions, type ResolvedOptions } from "./options.js";
import { contentIdOf } from "./trace-id.js";

/** The output formats of {@link renderTrace}. */
export type TraceFormat = "trace" | "tunix_sft" | "training_example" | "messages" | "prompt_completion";

/** Every {@link TraceFormat}, in documentation order. */
export const TRACE_FORMATS: readonly TraceFormat[] = ["trace", "tunix_sft", "training_example", "messages", "prompt_completion"];

/** A `tunix_sft` record, as the Python tunix-rt exported it: the whole conversation in `prompts`. */
export interface TunixSftRecord {
  /** Record id: `options.id` or the trace's {@link traceContentId}. */
  id: string;
  /** The whole rendered conversation (user turn and model turn). */
  prompts: string;
  /** The trace's final answer, unchanged. */
  final_answer: string;
  /** `{trace_version, format: "tunix_sft", ...trace.meta}`. */
  metadata: Record<string, unknown>;
}

/** A `messages` record: the conversation as chat messages. */
export interface MessagesRecord {
  /** `system`? + `user` + `assistant` messages, see {@link traceToMessages}. */
  messages: ChatMessage[];
}

/** Any record {@link renderTrace} returns. */
export type RenderedTrace = ReasoningTrace | TunixSftRecord | TrainingExample | MessagesRecord | PromptCompletion;

/**
 * Renders a trace into a training or export format:
 * - `"trace"`: the validated trace JSON itself (a copy; unknown keys kept);
 * - `"tunix_sft"`: `{id, prompts, final_answer, metadata}` with the whole conversation in `prompts`;
 *   with `compat: "tunix-rt"` byte for byte what the Python tunix-rt export produced;
 * - `"training_example"`: `{id, prompt, response, metadata}` — the user text (system instruction folded
 *   in) and the model-turn body, no chat tokens; with `compat: "tunix-rt"` the Python layout
 *   (`prompt + "\n\nPlease show your reasoning steps."`, raw response);
 * - `"messages"`: `{messages}` — see {@link traceToMessages};
 * - `"prompt_completion"`: `{prompt, completion}` where `prompt` ends with the generation prompt
 *   `<start_of_turn>model\n` and `prompt + completion` is exactly the `tunix_sft` conversation; the
 *   completion ends with `<end_of_turn>\n` (official) or `<end_of_turn>` (tunix-rt). Loss masking uses it.
 *
 * Ids are deterministic: `options.id`, else {@link traceContentId}. Never random.
 *
 * @param trace - a reasoning trace; validated (throws TraceValidationError listing each failing path).
 * @param format - one of {@link TRACE_FORMATS}.
 * @param options - see {@link RenderTraceOptions}.
 * @throws TunixError `CONTROL_TOKEN_IN_CONTENT` naming the field when content holds a Gemma control token
 *   (unless `controlTokens` is `"strip"` or `"keep"`; the `"trace"` format returns content unchanged); `INVALID_ARGUMENT` for an unknown format or option;
 *   {@link TemplateError} if the template refuses the conversation.
 */
export function renderTrace(trace: ReasoningTrace, format: "trace", options?: RenderTraceOptions): ReasoningTrace;
export function renderTrace(trace: ReasoningTrace, format: "tunix_sft", options?: RenderTraceOptions): TunixSftRecord;
export function renderTrace(trace: ReasoningTrace, format: "training_example", options?: RenderTraceOptions): TrainingExample;
export function renderTrace(trace: ReasoningTrace, format: "messages", options?: RenderTraceOptions): MessagesRecord;
export function renderTrace(trace: ReasoningTrace, format: "prompt_completion", options?: RenderTraceOptions): PromptCompletion;
export function renderTrace(trace: ReasoningTrace, format: TraceFormat, options?: RenderTraceOptions): RenderedTrace;
export function renderTrace(trace: ReasoningTrace, format: TraceFormat, options?: RenderTraceOptions): RenderedTrace {
  checkFormat(format, "renderTrace");
  const o = resolveOptions(options, "renderTrace");
  return renderValidTrace(validTrace(trace), format, o);
}

function checkFormat(format: unknown, where: string): asserts format is TraceFormat {
  if (!TRACE_FORMATS.includes(format as TraceFormat)) {
    throw new TunixError("INVALID_ARGUMENT", `${where}: unknown format ${JSON.stringify(format)}; expected one of ${TRACE_FORMATS.join(", ")}`);
  }
}

/**
 * A renderer for many traces in one format with one set of options, for traces that are already
 * validated (by {@link parseTrace}, or as exportDataset checks each stored trace): the options are checked
 * once, here, and each call skips both the option check and the trace validation that {@link renderTrace}
 * does (together about half of its cost). `render(trace, id)` returns what
 * `renderTrace(trace, format, {...options, id})` would (an `id` of undefined keeps `options.id`), except
 * that the `trace` format returns the trace itself rather than a copy. It does not validate: an invalid
 * trace gives meaningless output or a TypeError, not a TraceValidationError. Control-token and template
 * errors are thrown as by renderTrace.
 *
 * @param format - one of {@link TRACE_FORMATS}.
 * @param options - see {@link RenderTraceOptions}.
 * @param where - the caller's name for error messages.
 * @throws TunixError `INVALID_ARGUMENT` for an unknown format or option (here, not per trace).
 */
export function createTraceRenderer(
  format: TraceFormat,
  options?: RenderTraceOptions,
  where = "createTraceRenderer",
): (trace: ReasoningTrace, id?: string) => RenderedTrace {
  checkFormat(format, where);
  const resolved = resolveOptions(options, where);
  return (trace, id) => renderValidTrace(trace, format, id === undefined ? resolved : { ...resolved, id });
}

/** The body of {@link renderTrace}: a validated trace, resolved options. */
function renderValidTrace(t: ReasoningTrace, format: TraceFormat, o: ResolvedOptions): RenderedTrace {
  switch (format) {
    case "trace":
      return t;
    case "prompt_completion": {
      const { prompt, completion } = renderConversation(t, o);
      return { prompt, completion };
    }
    case "messages": {
      return { messages: messagesOf(traceTurns(t, o)) };
    }
    case "tunix_sft":
      return {
        id: o.id ?? contentIdOf(t),
        prompts: conversationText(t, o),
        final_answer: t.final_answer,
        metadata: { trace_version: t.trace_version, format: "tunix_sft", ...(t.meta ?? {}) },
      };
    case "training_example": {
      const id = o.id ?? contentIdOf(t);
      const turns = traceTurns(t, o);
      const sys = turns.system !== "" ? `${turns.system}\n\n` : "";
      const prompt = o.compat === "tunix-rt" ? `${turns.user}\n\nPlease show your reasoning steps.` : sys + turns.user;
      return {
        id,
        prompt,
        response: turns.response,
        metadata: { source_trace_id: id, trace_version: t.trace_version, ...(t.meta ?? {}) },
      };
    }
  }
}

import { TunixError } from "../errors.js";
import { parseTrace, type ReasoningTrace } from "../schema/index.js";
import type { ControlTokenPolicy } from "./control-tokens.js";
import { GEMMA_TEMPLATES, type GemmaTemplate } from "./gemma.js";
import { checkPolicy, checkStyle, type ResponseStyle } from "./styles.js";

/**
 * Options of the trace renderers ({@link renderTrace}, {@link traceToMessages}).
 */
export interface RenderTraceOptions {
  /** Model-turn layout. Default `"reasoning_answer"`. */
  style?: ResponseStyle;
  /**
   * An instruction placed before the prompt in the first user turn, followed by a blank line (Gemma has
   * no system role). gemma3 passes it as a system message, which its template folds in untrimmed; gemma2
   * folds it into the user message. An empty string means none, as in the Python tunix-rt.
   */
  systemInstruction?: string;
  /**
   * `"official"` (default): the official Gemma template — `bosToken` first and `<end_of_turn>\n` after
   * every turn; step text normalized so {@link parseResponse} recovers it.
   * `"tunix-rt"`: the Python tunix-rt export byte for byte — no bos (unless `bosToken` is given), turns
   * joined by `\n`, no newline after the last `<end_of_turn>`, content untrimmed and unnormalized.
   */
  compat?: "official" | "tunix-rt";
  /** Official template to follow (`compat: "official"` only). Default `"gemma3"`. */
  template?: GemmaTemplate;
  /** Text before the first turn. Default `"<bos>"` for official, `""` for tunix-rt. */
  bosToken?: string;
  /** What to do with Gemma control tokens in the prompt, steps, answer or system instruction. Default `"reject"`. */
  controlTokens?: ControlTokenPolicy;
  /** Record id for `tunix_sft` and `training_example`. Default: {@link traceContentId} of the trace. */
  id?: string;
}

/** Options after defaults, with the validated trace. */
export interface ResolvedOptions {
  style: ResponseStyle;
  systemInstruction: string;
  compat: "official" | "tunix-rt";
  template: GemmaTemplate;
  bosToken: string;
  controlTokens: ControlTokenPolicy;
  id: string | undefined;
}

function optionalString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v !== undefined && typeof v !== "string") {
    throw new TunixError("INVALID_ARGUMENT", `${where}: options.${key} must be a string, got ${v === null ? "null" : typeof v}`);
  }
  return v;
}

/**
 * Validates options and applies defaults. Every complaint names the function and the option.
 *
 * @param options - the caller's options (may be undefined).
 * @param where - the calling function's name, for messages.
 */
export function resolveOptions(options: unknown, where: string): ResolvedOptions {
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw new TunixError("INVALID_ARGUMENT", `${where}: options must be an object`);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  const compat = o.compat ?? "official";
  if (compat !== "official" && compat !== "tunix-rt") {
    throw new TunixError("INVALID_ARGUMENT", `${where}: options.compat must be "official" or "tunix-rt", got ${JSON.stringify(compat)}`);
  }
  const template = o.template ?? "gemma3";
  if (!GEMMA_TEMPLATES.includes(template as GemmaTemplate)) {
    throw new TunixError("INVALID_ARGUMENT", `${where}: options.template must be "gemma2" or "gemma3", got ${JSON.stringify(template)}`);
  }
  const id = optionalString(o, "id", where);
  if (id === "") throw new TunixError("INVALID_ARGUMENT", `${where}: options.id must not be empty`);
  return {
    style: checkStyle(o.style, `${where}: options`),
    systemInstruction: optionalString(o, "systemInstruction", where) ?? "",
    compat,
    template: template as GemmaTemplate,
    bosToken: optionalString(o, "bosToken", where) ?? (compat === "official" ? "<bos>" : ""),
    controlTokens: checkPolicy(o.controlTokens, `${where}: options`),
    id,
  };
}

/**
 * Validates a trace argument, throwing {@link TraceValidationError} that lists every failing path.
 *
 * @param trace - the caller's trace.
 */
export function validTrace(trace: unknown): ReasoningTrace {
  return parseTrace(trace);
}

import { TemplateError, TunixError } from "../errors.js";
import { ChatMessageSchema, type ChatMessage } from "../schema/index.js";
import { pythonStrip } from "./python-strip.js";

/** The official Gemma chat templates: google/gemma-2-2b-it (also Gemma 1) and google/gemma-3-1b-it. */
export type GemmaTemplate = "gemma2" | "gemma3";

/** The template names {@link renderChat} accepts. */
export const GEMMA_TEMPLATES: readonly GemmaTemplate[] = ["gemma2", "gemma3"];

/** Options of {@link renderChat}. */
export interface RenderChatOptions {
  /** Which official template to reproduce. Default `"gemma3"`. */
  template?: GemmaTemplate;
  /** Text emitted before the first turn. Default `"<bos>"`; `""` omits it. */
  bosToken?: string;
  /** Append the generation prompt `<start_of_turn>model\n`. Default false. */
  addGenerationPrompt?: boolean;
}

const ALTERNATE = "Conversation roles must alternate user/assistant/user/assistant/...";

/** Validates renderChat's arguments; every complaint names the offending index or option. */
function checkArgs(messages: unknown, options: unknown): asserts messages is ChatMessage[] {
  if (!Array.isArray(messages)) {
    throw new TunixError("INVALID_ARGUMENT", `renderChat: messages must be an array, got ${messages === null ? "null" : typeof messages}`);
  }
  messages.forEach((m, i) => {
    const r = ChatMessageSchema.safeParse(m);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue && issue.path.length > 0 ? `.${issue.path.map(String).join(".")}` : "";
      throw new TunixError("INVALID_ARGUMENT", `renderChat: messages[${i}]${where}: ${issue?.message ?? "invalid message"}`);
    }
  });
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) throw new TunixError("INVALID_ARGUMENT", "renderChat: options must be an object");
  const o = options as Record<string, unknown>;
  if (o.template !== undefined && !GEMMA_TEMPLATES.includes(o.template as GemmaTemplate)) {
    throw new TunixError("INVALID_ARGUMENT", `renderChat: options.template must be "gemma2" or "gemma3", got ${JSON.stringify(o.template)}`);
  }
  if (o.bosToken !== undefined && typeof o.bosToken !== "string") {
    throw new TunixError("INVALID_ARGUMENT", "renderChat: options.bosToken must be a string");
  }
  if (o.addGenerationPrompt !== undefined && typeof o.addGenerationPrompt !== "boolean") {
    throw new TunixError("INVALID_ARGUMENT", "renderChat: options.addGenerationPrompt must be a boolean");
  }
}

function turn(role: string, body: string): string {
  return `<start_of_turn>${role === "assistant" ? "model" : role}\n${body}<end_of_turn>\n`;
}

/**
 * Renders messages with the official Gemma chat template, byte for byte what Hugging Face transformers
 * produces with Python jinja2 for google/gemma-2-2b-it (`"gemma2"`) and google/gemma-3-1b-it (`"gemma3"`):
 * - role `assistant` becomes `model`; other roles are written as given;
 * - content is trimmed with Python `str.strip()` semantics ({@link pythonStrip});
 * - every turn ends with `<end_of_turn>\n`;
 * - gemma3 folds a leading system message into the first user turn followed by a blank line (the
 *   system text itself is not trimmed); gemma2 rejects a system message;
 * - roles must alternate user/model starting with user (after gemma3's system message).
 *
 * Content is rendered faithfully: control tokens inside it are not checked (the training renderers do that).
 *
 * @param messages - the conversation.
 * @param options - template, bos token and generation prompt.
 * @returns the rendered conversation text.
 * @throws {@link TemplateError} with the template's own message when the template refuses the conversation.
 * @throws TunixError `INVALID_ARGUMENT` for wrong argument types, naming the message index.
 */
export function renderChat(messages: readonly ChatMessage[], options?: RenderChatOptions): string {
  checkArgs(messages, options);
  return renderCheckedChat(messages, options?.template ?? "gemma3", options?.bosToken ?? "<bos>", options?.addGenerationPrompt === true);
}

/**
 * {@link renderChat} for arguments already known to be well-typed (the trace renderers build the messages
 * themselves): skips the per-message schema check, which cost more than the rendering itself.
 *
 * @param messages - well-formed messages.
 * @param template - the template.
 * @param bos - text before the first turn.
 * @param addGenerationPrompt - append `<start_of_turn>model\n`.
 * @throws {@link TemplateError} when the template refuses the conversation.
 */
export function renderCheckedChat(messages: readonly ChatMessage[], template: GemmaTemplate, bos: string, addGenerationPrompt: boolean): string {
  const first = messages[0];
  // Jinja2 fails on messages[0]['role'] for an empty list (UndefinedError); we say so plainly.
  if (first === undefined) throw new TemplateError("Conversation must contain at least one message");
  let out = bos;
  let start = 0;
  let prefix = "";
  if (first.role === "system") {
    if (template === "gemma2") throw new TemplateError("System role not supported");
    prefix = `${first.content}\n\n`;
    start = 1;
  }
  for (let k = start; k < messages.length; k++) {
    const m = messages[k]!;
    const i = k - start;
    if ((m.role === "user") !== (i % 2 === 0)) throw new TemplateError(ALTERNATE);
    out += turn(m.role, (i === 0 ? prefix : "") + pythonStrip(m.content));
  }
  if (addGenerationPrompt) out += "<start_of_turn>model\n";
  return out;
}

/**
 * Renderers: the official Gemma chat templates (byte-exact), trace → training formats, and parsing model
 * responses back into steps and answer. Pure string functions, no I/O.
 * @module
 */
export { renderChat, GEMMA_TEMPLATES, type GemmaTemplate, type RenderChatOptions } from "./gemma.js";
export { pythonStrip, PYTHON_WHITESPACE } from "./python-strip.js";
export { GEMMA_CONTROL_TOKENS, type ControlTokenPolicy } from "./control-tokens.js";
export {
  RESPONSE_STYLES,
  normalizeStep,
  normalizeAnswer,
  STEP_CONTINUATION_INDENT,
  type ResponseStyle,
} from "./styles.js";
export { type RenderTraceOptions } from "./options.js";
export { renderResponse, traceToMessages } from "./conversation.js";
export {
  renderTrace,
  createTraceRenderer,
  TRACE_FORMATS,
  type TraceFormat,
  type TunixSftRecord,
  type MessagesRecord,
  type RenderedTrace,
} from "./formats.js";
export { traceContentId } from "./trace-id.js";
export { parseResponse, type ParsedResponse } from "./parse.js";

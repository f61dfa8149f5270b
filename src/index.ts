/**
 * tunix-rt: reasoning-trace supervised fine-tuning for small Gemma-style chat models.
 *
 * The root entry is light: schemas, renderers, dataset selection, manifests, evaluation, the memory
 * store and errors. Node-only or heavy parts have their own entry points (`tunix-rt/storage/sqlite`,
 * `tunix-rt/train`, ...).
 * @module
 */
export {
  TunixError,
  TraceValidationError,
  TemplateError,
  isTunixError,
  formatIssues,
  formatPath,
  type ErrorCode,
  type Issue,
  type TunixErrorOptions,
} from "./errors.js";
export {
  ReasoningTraceSchema,
  TraceStepSchema,
  TraceMetaSchema,
  ChatRoleSchema,
  ChatMessageSchema,
  TrainingExampleSchema,
  PromptCompletionSchema,
  parseTrace,
  safeParseTrace,
  parseTraceJsonl,
  parseTraceLine,
  traceJsonSchema,
  MAX_TRACE_VERSION_CHARS,
  MAX_PROMPT_CHARS,
  MAX_FINAL_ANSWER_CHARS,
  MAX_STEPS,
  MAX_STEP_TYPE_CHARS,
  MAX_STEP_CONTENT_CHARS,
  type ReasoningTrace,
  type ReasoningTraceInput,
  type TraceStep,
  type TraceMeta,
  type ChatRole,
  type ChatMessage,
  type TrainingExample,
  type PromptCompletion,
  type SafeParseTraceResult,
  type ParseTraceJsonlResult,
  type JsonlLineError,
} from "./schema/index.js";

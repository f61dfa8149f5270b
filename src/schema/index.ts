/**
 * Trace schemas: the wire format of tunix-rt, compatible with the Python tunix-rt JSON.
 * @module
 */
export {
  ReasoningTraceSchema,
  TraceStepSchema,
  TraceMetaSchema,
  type ReasoningTrace,
  type ReasoningTraceInput,
  type TraceStep,
  type TraceMeta,
} from "./trace.js";
export {
  ChatRoleSchema,
  ChatMessageSchema,
  TrainingExampleSchema,
  PromptCompletionSchema,
  type ChatRole,
  type ChatMessage,
  type TrainingExample,
  type PromptCompletion,
} from "./messages.js";
export {
  parseTrace,
  safeParseTrace,
  parseTraceJsonl,
  parseTraceLine,
  type SafeParseTraceResult,
  type ParseTraceJsonlResult,
  type JsonlLineError,
} from "./parse.js";
export { traceJsonSchema } from "./json-schema.js";
export { fromZodIssues } from "./issues.js";
export {
  MAX_TRACE_VERSION_CHARS,
  MAX_PROMPT_CHARS,
  MAX_FINAL_ANSWER_CHARS,
  MAX_STEPS,
  MAX_STEP_TYPE_CHARS,
  MAX_STEP_CONTENT_CHARS,
} from "./limits.js";

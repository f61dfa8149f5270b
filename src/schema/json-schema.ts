import { z } from "zod";
import { ReasoningTraceSchema } from "./trace.js";
import {
  MAX_FINAL_ANSWER_CHARS,
  MAX_PROMPT_CHARS,
  MAX_STEP_CONTENT_CHARS,
  MAX_STEP_TYPE_CHARS,
  MAX_TRACE_VERSION_CHARS,
} from "./limits.js";

/**
 * JSON Schema (draft 2020-12) for a reasoning trace, generated from the zod schema, for consumers that
 * are not TypeScript. Length limits count code points (JSON Schema's `maxLength` counts them too).
 * Uniqueness of step indices cannot be expressed in JSON Schema and is only described.
 */
export function traceJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ReasoningTraceSchema, { unrepresentable: "any" }) as Record<string, any>;
  const props = schema.properties ?? {};
  const limit = (p: Record<string, unknown> | undefined, max: number) => {
    if (p) Object.assign(p, { minLength: 1, maxLength: max });
  };
  limit(props.trace_version, MAX_TRACE_VERSION_CHARS);
  limit(props.prompt, MAX_PROMPT_CHARS);
  limit(props.final_answer, MAX_FINAL_ANSWER_CHARS);
  const stepProps = props.steps?.items?.properties ?? {};
  limit(stepProps.type, MAX_STEP_TYPE_CHARS);
  limit(stepProps.content, MAX_STEP_CONTENT_CHARS);
  if (props.steps) props.steps.description = "Reasoning steps; each step's `i` must be unique within the trace.";
  schema.title = "ReasoningTrace";
  return schema;
}

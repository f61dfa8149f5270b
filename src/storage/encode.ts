/**
 * Trace → what a backend writes: the validated trace, its JSON body, its meta JSON and its content hash.
 * The hand-written fast path ({@link fastParseTrace}) serves ordinary traces; anything it cannot vouch
 * for goes through zod, which also explains what is wrong.
 */
import type { Issue } from "../errors.js";
import { hashJson, sha256Hex } from "../internal/hash.js";
import { safeParseTrace, type ReasoningTrace } from "../schema/index.js";
import { fastCanonicalTraceJson, fastParseTrace } from "./fast-trace.js";

/** A validated trace with its encodings. */
export interface EncodedTrace {
  /** The validated trace (zod's output shape: schema keys first, unknown keys kept). */
  trace: ReasoningTrace;
  /** `JSON.stringify(trace)`. */
  body: string;
  /** `JSON.stringify(trace.meta)`, or null when meta is null or absent. */
  metaJson: string | null;
  /** Hex sha256 of the canonical JSON of `trace`. */
  contentHash: string;
}

/**
 * Validates and encodes one trace, or returns zod's issues (paths relative to the trace).
 *
 * @param input - any value.
 */
export function encodeTrace(input: unknown): EncodedTrace | { issues: readonly Issue[] } {
  let trace = fastParseTrace(input);
  let contentHash: string;
  if (trace !== undefined) contentHash = sha256Hex(fastCanonicalTraceJson(trace));
  else {
    const parsed = safeParseTrace(input);
    if (!parsed.success) return { issues: parsed.error.issues };
    trace = parsed.data;
    contentHash = hashJson(trace);
  }
  const meta = trace.meta;
  return { trace, body: JSON.stringify(trace), metaJson: meta === null || meta === undefined ? null : JSON.stringify(meta), contentHash };
}

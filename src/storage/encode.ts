/**
 * Trace → what a backend writes: the validated trace, its JSON body, its meta JSON and its content hash.
 * The hand-written fast path ({@link fastParseTrace}) serves ordinary traces; anything it cannot vouch
 * for goes through zod, which also explains what is wrong.
 */
import { TunixError, type Issue } from "../errors.js";
import { hashJson, sha256Hex } from "../internal/hash.js";
import { safeParseTrace, type ReasoningTrace } from "../schema/index.js";
import type { PlainTraceRecord } from "./backend.js";
import { fastCanonicalTraceJson, fastParseTrace, plainTextsFromBody, plainTraceTexts } from "./fast-trace.js";

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
  if (trace !== undefined && trace === input) {
    // The plain shape (fastParseTrace returns only such inputs uncopied): both texts from shared pieces.
    const texts = plainTraceTexts(trace);
    return { trace, body: texts.body, metaJson: texts.metaJson, contentHash: sha256Hex(texts.canonical) };
  }
  if (trace !== undefined) contentHash = sha256Hex(fastCanonicalTraceJson(trace));
  else {
    const parsed = safeParseTrace(input);
    if (!parsed.success) return { issues: parsed.error.issues };
    trace = parsed.data;
    try {
      contentHash = hashJson(trace);
    } catch (e) {
      // The schema lets unknown keys hold any value; a stored trace must be JSON data.
      if (!(e instanceof TunixError && e.code === "FINGERPRINT_UNHASHABLE")) throw e;
      const { path, what } = e.details as { path: (string | number)[]; what: string };
      return { issues: [{ code: "not_json", path, message: `must be JSON data, got ${what}` }] };
    }
  }
  const meta = trace.meta;
  return { trace, body: JSON.stringify(trace), metaJson: meta === null || meta === undefined ? null : JSON.stringify(meta), contentHash };
}

/**
 * The meta JSON and content hash of a validated plain-shape trace from its JSON text alone: what the
 * store would have computed for it. For backends that take {@link PlainTraceRecord}s (the SQLite writer
 * thread calls it on its own thread).
 *
 * @param body - the `body` of a {@link PlainTraceRecord}.
 * @returns `metaJson` (`JSON.stringify(trace.meta)`, or null when meta is null or absent) and
 *   `contentHash` (hex sha256 of the trace's canonical JSON).
 * @throws TunixError `INVALID_ARGUMENT` when `body` is not the JSON text of a plain-shape trace.
 */
export function encodePlainBody(body: string): { metaJson: string | null; contentHash: string } {
  const texts = plainTextsFromBody(body) ?? plainTraceTexts(parsePlainBody(body));
  return { metaJson: texts.metaJson, contentHash: sha256Hex(texts.canonical) };
}

/** `body` parsed, when it is the JSON text of a trace in the plain shape (the fallback of encodePlainBody). */
function parsePlainBody(body: string): ReasoningTrace {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw new TunixError("INVALID_ARGUMENT", `encodePlainBody: body is not JSON text (${(e as Error).message})`, { cause: e });
  }
  const trace = fastParseTrace(value);
  if (trace === undefined || trace !== value) throw new TunixError("INVALID_ARGUMENT", "encodePlainBody: body is not a valid trace in the plain shape (trace_version, prompt, final_answer, steps of {i, type, content}, optional meta, in that order)");
  return trace;
}

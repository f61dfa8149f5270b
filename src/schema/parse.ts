import { TraceValidationError, TunixError, type Issue } from "../errors.js";
import { fromZodIssues } from "./issues.js";
import { ReasoningTraceSchema, type ReasoningTrace } from "./trace.js";

/** Result of {@link safeParseTrace}: the trace, or the error that {@link parseTrace} would throw. */
export type SafeParseTraceResult =
  | { success: true; data: ReasoningTrace }
  | { success: false; error: TraceValidationError };

/**
 * Validates a value as a {@link ReasoningTrace}.
 *
 * Unknown keys (top level and in steps) are kept unchanged; nothing is coerced or dropped.
 *
 * @param input - any value, typically from `JSON.parse`.
 * @returns the typed trace.
 * @throws {@link TraceValidationError} listing every failing path, e.g. `steps[3].content: must not be empty`.
 */
export function parseTrace(input: unknown): ReasoningTrace {
  const result = safeParseTrace(input);
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * Like {@link parseTrace} but returns a result object instead of throwing.
 *
 * @param input - any value.
 */
export function safeParseTrace(input: unknown): SafeParseTraceResult {
  const result = ReasoningTraceSchema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  return { success: false, error: new TraceValidationError(fromZodIssues(result.error.issues)) };
}

/** One rejected line of a JSONL input. */
export interface JsonlLineError {
  /** 1-based line number. */
  line: number;
  /** What was wrong with it: invalid JSON, or each failing trace path. */
  issues: Issue[];
}

/** Result of {@link parseTraceJsonl}. */
export interface ParseTraceJsonlResult {
  /** Valid traces, in file order. */
  traces: ReasoningTrace[];
  /** 1-based line numbers of `traces`, index for index. */
  lines: number[];
  /** Rejected lines with their reasons. Blank lines are neither traces nor errors. */
  errors: JsonlLineError[];
}

/**
 * Parses JSONL text (one trace per line) into valid traces plus per-line errors. Never throws on bad
 * lines: a line with invalid JSON or an invalid trace is reported with its 1-based line number and skipped.
 * Blank lines are ignored. A UTF-8 BOM at the start and `\r\n` line endings are accepted.
 *
 * @param text - the whole JSONL document.
 * @throws TunixError `INVALID_ARGUMENT` when `text` is not a string.
 */
export function parseTraceJsonl(text: string): ParseTraceJsonlResult {
  if (typeof text !== "string") {
    throw new TunixError("INVALID_ARGUMENT", `parseTraceJsonl expects a string, got ${text === null ? "null" : typeof text}`);
  }
  const out: ParseTraceJsonlResult = { traces: [], lines: [], errors: [] };
  const rows = text.replace(/^\uFEFF/, "").split("\n");
  rows.forEach((raw, index) => {
    const line = index + 1;
    const parsed = parseTraceLine(raw, line);
    if (parsed === undefined) return;
    if ("issues" in parsed) out.errors.push(parsed);
    else {
      out.traces.push(parsed.trace);
      out.lines.push(line);
    }
  });
  return out;
}

/**
 * Parses one JSONL line. Returns undefined for a blank line, `{trace}` for a valid one, and
 * `{line, issues}` for an invalid one. Shared by {@link parseTraceJsonl} and streaming ingest.
 *
 * @param raw - the line's text, with or without a trailing `\r`.
 * @param line - its 1-based line number, recorded in issues.
 * @throws TunixError `INVALID_ARGUMENT` when `raw` is not a string or `line` not a positive integer.
 */
export function parseTraceLine(raw: string, line: number): { trace: ReasoningTrace } | JsonlLineError | undefined {
  if (typeof raw !== "string") {
    throw new TunixError("INVALID_ARGUMENT", `parseTraceLine expects a string, got ${raw === null ? "null" : typeof raw}`);
  }
  if (!Number.isInteger(line) || line < 1) {
    throw new TunixError("INVALID_ARGUMENT", `parseTraceLine: line must be a positive integer, got ${String(line)}`);
  }
  const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { line, issues: [{ code: "invalid_json", path: [], message: `invalid JSON: ${(e as Error).message}`, line }] };
  }
  const result = ReasoningTraceSchema.safeParse(value);
  if (result.success) return { trace: result.data };
  return { line, issues: fromZodIssues(result.error.issues, line) };
}

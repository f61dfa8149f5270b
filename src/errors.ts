/**
 * Errors thrown by tunix-rt.
 *
 * Every error is a {@link TunixError} with a machine-readable {@link ErrorCode}. Validation errors also
 * carry a list of {@link Issue}s, each naming the failing path (and line, for JSONL input). Code that
 * handles errors should switch on `code` (or use {@link isTunixError}), not on `instanceof`, so that two
 * copies of the package in one process still agree.
 *
 * @module
 */

/** Every error code tunix-rt throws. Area prefixes say where it came from. */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "TRACE_INVALID"
  | "TEMPLATE_ERROR"
  | "CONTROL_TOKEN_IN_CONTENT"
  | "JSONL_INVALID"
  | "FILTER_INVALID"
  | "STORE_CONFLICT"
  | "STORE_CLOSED"
  | "STORE_LOCKED"
  | "STORE_CORRUPT"
  | "NOT_FOUND"
  | "DRIVER_MISSING"
  | "BACKEND_ERROR"
  | "UNSAFE_NAME"
  | "DATASET_INVALID"
  | "FINGERPRINT_UNHASHABLE"
  | "MANIFEST_INVALID"
  | "MANIFEST_CHECKSUM_MISMATCH"
  | "MANIFEST_EXISTS"
  | "CHECKPOINT_INCOMPATIBLE"
  | "CHECKPOINT_CORRUPT"
  | "TRAIN_CONFIG_INVALID"
  | "TRAIN_NO_DATA"
  | "TRAIN_WORKER_FAILED"
  | "TOKENIZER_ERROR"
  | "EVAL_SET_INVALID"
  | "EVAL_ERROR"
  | "ABORTED";

/** One problem found while validating input. */
export interface Issue {
  /** zod-style issue code (`invalid_type`, `too_big`, `custom`, ...). */
  readonly code: string;
  /** Path to the failing value, e.g. `["steps", 3, "content"]`. Empty for the root. */
  readonly path: readonly (string | number)[];
  /** Human-readable explanation. */
  readonly message: string;
  /** 1-based line number, for JSONL input. */
  readonly line?: number;
}

/** Options for constructing a {@link TunixError}. */
export interface TunixErrorOptions {
  /** Validation issues behind the error. */
  issues?: readonly Issue[];
  /** The underlying error (a driver or I/O error, for example). */
  cause?: unknown;
  /** Structured extra data, e.g. the SQL statement or the file path involved. */
  details?: Record<string, unknown>;
}

const BRAND = Symbol.for("tunix-rt.error");

/** Base class of every error tunix-rt throws. */
export class TunixError extends Error {
  /** Machine-readable error code. */
  readonly code: ErrorCode;
  /** Validation issues, when the error comes from validating input. */
  readonly issues: readonly Issue[];
  /** Structured extra data about the failure. */
  readonly details: Record<string, unknown> | undefined;
  /** @internal brand that survives duplicate package copies. */
  readonly [BRAND] = true;

  /**
   * @param code - the error code.
   * @param message - a sentence describing the failure; issues are appended when present.
   * @param options - issues, cause and details.
   */
  constructor(code: ErrorCode, message: string, options: TunixErrorOptions = {}) {
    const issues = options.issues ?? [];
    super(issues.length > 0 ? `${message}\n${formatIssues(issues)}` : message, { cause: options.cause });
    this.name = "TunixError";
    this.code = code;
    this.issues = issues;
    this.details = options.details;
  }

  /** Plain-data form for `--json` output and logs. */
  toJSON(): { name: string; code: ErrorCode; message: string; issues: readonly Issue[]; details?: Record<string, unknown> } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      issues: this.issues,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** A trace (or several traces) failed schema validation. Its `issues` name each failing path. */
export class TraceValidationError extends TunixError {
  /**
   * @param issues - the failing paths and reasons.
   * @param message - defaults to "Invalid reasoning trace".
   */
  constructor(issues: readonly Issue[], message = "Invalid reasoning trace") {
    super("TRACE_INVALID", message, { issues });
    this.name = "TraceValidationError";
  }
}

/** A chat template refused its input (the template's own `raise_exception` message). */
export class TemplateError extends TunixError {
  /** @param message - the template's error message. */
  constructor(message: string) {
    super("TEMPLATE_ERROR", message);
    this.name = "TemplateError";
  }
}

/**
 * True when `error` is a {@link TunixError} (from any copy of the package), optionally with the given code.
 *
 * @param error - any thrown value.
 * @param code - when given, the error must also have this code.
 */
export function isTunixError(error: unknown, code?: ErrorCode): error is TunixError {
  if (typeof error !== "object" || error === null || (error as Record<symbol, unknown>)[BRAND] !== true) {
    return false;
  }
  return code === undefined || (error as TunixError).code === code;
}

/**
 * Renders a path like `steps[3].content`. Empty paths render as `(root)`.
 *
 * @param path - path segments: property names and array indices.
 * @throws TunixError `INVALID_ARGUMENT` when `path` is not an array.
 */
export function formatPath(path: readonly (string | number)[]): string {
  if (!Array.isArray(path)) throw new TunixError("INVALID_ARGUMENT", "formatPath expects an array of path segments");
  if (path.length === 0) return "(root)";
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * Formats issues one per line, `line 17: steps[2].content: message`, sorted by line then path.
 *
 * @param issues - the issues to format.
 * @throws TunixError `INVALID_ARGUMENT` when `issues` is not an array.
 */
export function formatIssues(issues: readonly Issue[]): string {
  if (!Array.isArray(issues)) throw new TunixError("INVALID_ARGUMENT", "formatIssues expects an array of issues");
  const sorted = [...issues].sort((a, b) => {
    const la = a.line ?? 0;
    const lb = b.line ?? 0;
    if (la !== lb) return la - lb;
    const pa = formatPath(a.path);
    const pb = formatPath(b.path);
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  });
  return sorted
    .map((i) => `${i.line !== undefined ? `line ${i.line}: ` : ""}${formatPath(i.path)}: ${i.message}`)
    .join("\n");
}

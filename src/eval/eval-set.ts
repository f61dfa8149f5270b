import { z } from "zod";
import { TunixError, type Issue } from "../errors.js";
import { fromZodIssues } from "../schema/index.js";
import { canonicalJson } from "../internal/canonical-json.js";
import { hashJson, sha256Hex } from "../internal/hash.js";

const nonEmpty = (field: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .refine((s) => s.trim() !== "", { message: `${field} must not be empty` });

const optionalLabel = (field: string) => nonEmpty(field).nullable().optional();

/**
 * One evaluation item. Field names are the Python tunix-rt `eval_v1` / `eval_v2` JSONL, unchanged;
 * unknown keys are kept.
 */
export const EvalItemSchema = z.looseObject({
  /** Unique id within the eval set, e.g. `eval-v2-001`. */
  id: nonEmpty("id"),
  /** The question shown to the model. */
  prompt: nonEmpty("prompt"),
  /** The reference answer; may list alternatives ("0.5 or 50%"). */
  expected_answer: nonEmpty("expected_answer"),
  /** Topic, e.g. `arithmetic`. */
  category: optionalLabel("category"),
  /** Eval-set section, e.g. `core`, `edge_case` (eval_v2). */
  section: optionalLabel("section"),
  /** Difficulty label, e.g. `easy`. */
  difficulty: optionalLabel("difficulty"),
  /** Free metadata. */
  meta: z.record(z.string(), z.json()).nullable().optional(),
});

/** A validated evaluation item. */
export type EvalItem = z.infer<typeof EvalItemSchema>;

/** A validated eval set with its identity hashes. */
export interface EvalSet {
  /** Name (the file's base name without extension, or the `name` option). */
  name: string;
  /** Items in source order. */
  items: EvalItem[];
  /**
   * sha256 of the source bytes when loaded from a file or text (equal to `sha256sum file`); for an
   * iterable of objects, sha256 of their canonical JSON lines (each followed by `\n`).
   */
  sha256: string;
  /** Order-independent content hash: sha256 of the canonical JSON of the items sorted by id. */
  fingerprint: string;
}

/** Options for {@link loadEvalSet} and {@link parseEvalSetText}. */
export interface LoadEvalSetOptions {
  /** Minimum number of items (default 1); fewer is an error. */
  minItems?: number;
  /** Name recorded in the eval set (default: file base name, or "eval-set"). */
  name?: string;
}

/** Where {@link loadEvalSet} reads from. A string is a file path. */
export type EvalSetSource =
  | string
  | URL
  | { text: string }
  | Iterable<unknown>
  | AsyncIterable<unknown>;

/**
 * Loads and validates an eval set: a JSONL file path, `{ text }`, or an (async) iterable of item objects
 * (or of JSONL line strings). Every problem is collected and thrown together as `EVAL_SET_INVALID` with
 * 1-based line numbers: invalid JSON, missing or empty fields, duplicate ids, too few items.
 *
 * @param source - a path, `{ text }`, or an iterable of items.
 * @param options - `minItems`, `name`.
 * @throws TunixError `EVAL_SET_INVALID` (with issues) or `NOT_FOUND` when the file does not exist.
 */
export async function loadEvalSet(source: EvalSetSource, options: LoadEvalSetOptions = {}): Promise<EvalSet> {
  if (typeof source === "string" || source instanceof URL) {
    const { readFile } = await import("node:fs/promises");
    let bytes: Uint8Array;
    try {
      bytes = await readFile(source);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? "NOT_FOUND" : "EVAL_SET_INVALID";
      throw new TunixError(code, `Cannot read eval set ${String(source)}: ${(e as Error).message}`, {
        cause: e,
        details: { path: String(source) },
      });
    }
    const name = options.name ?? baseName(String(source));
    return buildFromText(new TextDecoder("utf-8", { fatal: false }).decode(bytes), sha256Hex(bytes), { ...options, name });
  }
  if (isTextSource(source)) return parseEvalSetText(source.text, options);
  if (source === null || typeof source !== "object" || !(Symbol.iterator in source || Symbol.asyncIterator in source)) {
    throw new TunixError("INVALID_ARGUMENT", "loadEvalSet expects a file path, { text }, or an iterable of items");
  }
  const rows: Row[] = [];
  let line = 0;
  for await (const value of source as AsyncIterable<unknown>) {
    line++;
    const row = typeof value === "string" ? parseLine(value, line) : { line, value };
    if (row) rows.push(row);
  }
  const { items, issues } = validateRows(rows, options);
  throwIfIssues(issues, options.name ?? "eval-set");
  const sha = sha256Hex(items.map((i) => canonicalJson(i) + "\n").join(""));
  return finish(items, sha, options.name ?? "eval-set");
}

/**
 * Parses eval-set JSONL text synchronously (same rules as {@link loadEvalSet}). Blank lines are skipped;
 * a UTF-8 BOM and `\r\n` endings are accepted.
 *
 * @param text - the JSONL document.
 * @param options - `minItems`, `name`.
 */
export function parseEvalSetText(text: string, options: LoadEvalSetOptions = {}): EvalSet {
  if (typeof text !== "string") throw new TunixError("INVALID_ARGUMENT", `parseEvalSetText expects a string, got ${typeof text}`);
  return buildFromText(text, sha256Hex(text), options);
}

interface Row {
  line: number;
  value?: unknown;
  issue?: Issue;
}

function buildFromText(text: string, sha: string, options: LoadEvalSetOptions): EvalSet {
  const rows: Row[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .forEach((raw, index) => {
      const row = parseLine(raw, index + 1);
      if (row) rows.push(row);
    });
  const name = options.name ?? "eval-set";
  const { items, issues } = validateRows(rows, options);
  throwIfIssues(issues, name);
  return finish(items, sha, name);
}

function parseLine(raw: string, line: number): Row | undefined {
  const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  if (text.trim() === "") return undefined;
  try {
    return { line, value: JSON.parse(text) };
  } catch (e) {
    return { line, issue: { code: "invalid_json", path: [], message: `invalid JSON: ${(e as Error).message}`, line } };
  }
}

function validateRows(rows: readonly (Row | undefined)[], options: LoadEvalSetOptions): { items: EvalItem[]; issues: Issue[] } {
  const items: EvalItem[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (!row) continue;
    if (row.issue) {
      issues.push(row.issue);
      continue;
    }
    const parsed = EvalItemSchema.safeParse(row.value);
    if (!parsed.success) {
      issues.push(...fromZodIssues(parsed.error.issues, row.line));
      continue;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      issues.push({ code: "custom", path: ["id"], message: `duplicate id ${JSON.stringify(parsed.data.id)} (first at line ${first})`, line: row.line });
      continue;
    }
    seen.set(parsed.data.id, row.line);
    items.push(parsed.data);
  }
  const minItems = options.minItems ?? 1;
  if (issues.length === 0 && items.length < minItems) {
    issues.push({
      code: "too_small",
      path: [],
      message: items.length === 0 ? "eval set is empty (min_items " + minItems + ")" : `eval set has ${items.length} items (min_items ${minItems})`,
    });
  }
  return { items, issues };
}

function throwIfIssues(issues: Issue[], name: string): void {
  if (issues.length > 0) {
    throw new TunixError("EVAL_SET_INVALID", `Invalid eval set ${JSON.stringify(name)}: ${issues.length} problem(s)`, { issues });
  }
}

function finish(items: EvalItem[], sha256: string, name: string): EvalSet {
  const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
  return { name, items, sha256, fingerprint: hashJson(sorted) };
}

/** Code-unit order of ids, the canonical order for every aggregate. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isTextSource(source: unknown): source is { text: string } {
  return typeof source === "object" && source !== null && typeof (source as { text?: unknown }).text === "string" && !(Symbol.iterator in source);
}

function baseName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  return file.replace(/\.jsonl?$/i, "") || "eval-set";
}

import type { z } from "zod";
import { TunixError } from "../errors.js";
import { fromZodIssues } from "../schema/index.js";
import { DatasetManifestSchema, type DatasetManifest } from "./dataset-schema.js";
import { EvaluationManifestSchema, type EvaluationManifest } from "./eval-schema.js";
import { migrateDatasetManifest } from "./migrate.js";
import { TrainingRunManifestSchema, type TrainingRunManifest } from "./run-schema.js";
import { manifestChecksum } from "./stable-json.js";

/** The three manifest kinds. */
export type ManifestKind = "dataset" | "training_run" | "evaluation";

/** Any manifest. */
export type AnyManifest = DatasetManifest | TrainingRunManifest | EvaluationManifest;

/** A manifest with its kind, as {@link parseManifest} returns it. */
export type TypedManifest =
  | { kind: "dataset"; manifest: DatasetManifest }
  | { kind: "training_run"; manifest: TrainingRunManifest }
  | { kind: "evaluation"; manifest: EvaluationManifest };

function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string, source?: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new TunixError("MANIFEST_INVALID", `Invalid ${what}${source ? ` in ${source}` : ""}`, {
      issues: fromZodIssues(result.error.issues),
      ...(source ? { details: { path: source } } : {}),
    });
  }
  verifyChecksum(result.data as Record<string, unknown>, what, source);
  return result.data;
}

/**
 * Throws when a validated manifest carries a `checksum` that its content does not hash to.
 *
 * @param data - a validated manifest.
 * @param what - its kind, for the message (e.g. "dataset manifest").
 * @param source - file path or key for the message.
 * @throws TunixError `MANIFEST_CHECKSUM_MISMATCH`.
 */
export function verifyChecksum(data: Record<string, unknown>, what: string, source?: string): void {
  if (typeof data.checksum !== "string") return;
  const expected = manifestChecksum(data);
  if (expected !== data.checksum) {
    throw new TunixError(
      "MANIFEST_CHECKSUM_MISMATCH",
      `${what}${source ? ` in ${source}` : ""}: checksum is ${data.checksum} but the content hashes to ${expected} (edited or corrupted)`,
      { details: { expected, actual: data.checksum, ...(source ? { path: source } : {}) } },
    );
  }
}

/**
 * Validates a dataset manifest. Python tunix-rt manifests (no `schema_version`) are migrated first, so they
 * load unchanged. When the manifest carries a `checksum`, it is verified.
 *
 * @param input - a parsed JSON value.
 * @param source - file path or key for error messages.
 * @throws TunixError `MANIFEST_INVALID` listing each failing path, or `MANIFEST_CHECKSUM_MISMATCH`.
 */
export function parseDatasetManifest(input: unknown, source?: string): DatasetManifest {
  return parseWith(DatasetManifestSchema, migrateDatasetManifest(input), "dataset manifest", source);
}

/**
 * Validates a training-run manifest (checksum verified when present).
 *
 * @param input - a parsed JSON value.
 * @param source - file path or key for error messages.
 * @throws TunixError `MANIFEST_INVALID` or `MANIFEST_CHECKSUM_MISMATCH`.
 */
export function parseTrainingRunManifest(input: unknown, source?: string): TrainingRunManifest {
  return parseWith(TrainingRunManifestSchema, input, "training-run manifest", source);
}

/**
 * Validates an evaluation manifest (checksum verified when present).
 *
 * @param input - a parsed JSON value.
 * @param source - file path or key for error messages.
 * @throws TunixError `MANIFEST_INVALID` or `MANIFEST_CHECKSUM_MISMATCH`.
 */
export function parseEvaluationManifest(input: unknown, source?: string): EvaluationManifest {
  return parseWith(EvaluationManifestSchema, input, "evaluation manifest", source);
}

/**
 * The kind of a manifest object, by its key field: `run_id` → training run, `eval_id` → evaluation,
 * else `dataset_key` → dataset (run manifests may also carry a `dataset_key`). Undefined when none is present.
 *
 * @param input - a parsed JSON value.
 */
export function manifestKind(input: unknown): ManifestKind | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const r = input as Record<string, unknown>;
  if ("run_id" in r) return "training_run";
  if ("eval_id" in r) return "evaluation";
  if ("dataset_key" in r) return "dataset";
  return undefined;
}

/**
 * Validates any manifest, recognising its kind by its key field (see {@link manifestKind}).
 *
 * @param input - a parsed JSON value.
 * @param source - file path or key for error messages.
 * @throws TunixError `MANIFEST_INVALID` when the kind is unknown or validation fails.
 */
export function parseManifest(input: unknown, source?: string): TypedManifest {
  switch (manifestKind(input)) {
    case "dataset":
      return { kind: "dataset", manifest: parseDatasetManifest(input, source) };
    case "training_run":
      return { kind: "training_run", manifest: parseTrainingRunManifest(input, source) };
    case "evaluation":
      return { kind: "evaluation", manifest: parseEvaluationManifest(input, source) };
    default:
      throw new TunixError(
        "MANIFEST_INVALID",
        `Not a manifest${source ? ` (${source})` : ""}: expected an object with dataset_key, run_id or eval_id`,
      );
  }
}

/**
 * The file-name key of a manifest: `dataset_key`, `run_id` or `eval_id`.
 *
 * @param typed - a manifest with its kind.
 */
export function manifestKey(typed: TypedManifest): string {
  switch (typed.kind) {
    case "dataset":
      return typed.manifest.dataset_key;
    case "training_run":
      return typed.manifest.run_id;
    case "evaluation":
      return typed.manifest.eval_id;
  }
}

import { DATASET_MANIFEST_SCHEMA_VERSION } from "./dataset-schema.js";

/**
 * Brings a dataset manifest object to the current schema version, one step at a time. Version 0 is the
 * Python tunix-rt format (no `schema_version`): its fields are kept as they are and the tunix-rt fields take
 * their defaults (no fingerprint, no content hashes). Returns the input unchanged when it is not an object
 * or already carries a `schema_version`, so the schema reports any problem.
 *
 * @param input - a parsed JSON value.
 */
export function migrateDatasetManifest(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const record = input as Record<string, unknown>;
  if (record.schema_version !== undefined) return input;
  return v0ToV1(record);
}

/** Python tunix-rt manifest (v0) → v1. */
function v0ToV1(m: Record<string, unknown>): Record<string, unknown> {
  return { schema_version: DATASET_MANIFEST_SCHEMA_VERSION, ...m };
}

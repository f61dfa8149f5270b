import { TunixError } from "../errors.js";
import { DatasetManifestSchema, traceListIssues, type DatasetManifest } from "./dataset-schema.js";
import { migrateDatasetManifest } from "./migrate.js";
import { PackedStrings, type PackedEncoding, type StringList } from "./packed-strings.js";
import { parseDatasetManifest, verifyChecksum } from "./parse.js";

/** The per-trace fields of a dataset manifest: one entry per trace, index for index. */
export const TRACE_LIST_FIELDS = ["trace_ids", "content_hashes", "trace_splits"] as const;

/** One of {@link TRACE_LIST_FIELDS}. */
export type TraceListField = (typeof TRACE_LIST_FIELDS)[number];

/**
 * The fields of a dataset manifest other than its per-trace lists. (A mapped type rather than `Omit`:
 * the manifest type has an index signature for unknown keys, and `Omit` would keep only that.)
 */
export type DatasetManifestHeader = { [K in keyof DatasetManifest as K extends TraceListField ? never : K]: DatasetManifest[K] };

/** How each per-trace list is packed (an entry of another shape turns its list to text). */
export const TRACE_LIST_ENCODINGS: Readonly<Record<TraceListField, PackedEncoding>> = { trace_ids: "uuid", content_hashes: "digest", trace_splits: "text" };

/**
 * A dataset manifest whose per-trace lists are {@link PackedStrings} instead of `string[]`: the same
 * content (same file bytes, checksum and fingerprint) in about half the memory, for datasets of a million
 * traces and more. Read one with `readDatasetManifest(path, { compact: true })`, build one with
 * `buildDataset(store, request, { compact: true })`; `writeManifest`, `exportDataset` and `verifyDataset`
 * take it as they take a {@link DatasetManifest}.
 */
export type CompactDatasetManifest = DatasetManifestHeader & {
  /** Selected trace ids in dataset order. */
  trace_ids: PackedStrings;
  /** Content hash of each trace. */
  content_hashes?: PackedStrings;
  /** Split name of each trace. */
  trace_splits?: PackedStrings;
};

/** Either form of a dataset manifest, as the readers of its lists (exportDataset, verifyDataset) take it. */
export type DatasetManifestLike = DatasetManifestHeader & {
  /** Selected trace ids in dataset order. */
  trace_ids: StringList;
  /** Content hash of each trace. */
  content_hashes?: StringList | undefined;
  /** Split name of each trace. */
  trace_splits?: StringList | undefined;
};

/**
 * True when a manifest object holds packed lists (its `trace_ids` is a {@link PackedStrings}).
 *
 * @param manifest - any value.
 */
export function isCompactManifest(manifest: unknown): manifest is CompactDatasetManifest {
  return typeof manifest === "object" && manifest !== null && (manifest as { trace_ids?: unknown }).trace_ids instanceof PackedStrings;
}

/**
 * The compact form of a dataset manifest (lists packed; other fields shared).
 *
 * @param manifest - a validated dataset manifest.
 */
export function compactDatasetManifest(manifest: DatasetManifest | CompactDatasetManifest): CompactDatasetManifest {
  if (isCompactManifest(manifest)) return manifest;
  const out: Record<string, unknown> = { ...manifest };
  for (const field of TRACE_LIST_FIELDS) {
    const list = manifest[field];
    if (list !== undefined) out[field] = PackedStrings.from(list, TRACE_LIST_ENCODINGS[field]);
  }
  return out as CompactDatasetManifest;
}

/**
 * The plain form of a dataset manifest (lists as `string[]`).
 *
 * @param manifest - a dataset manifest in either form.
 */
export function expandDatasetManifest(manifest: DatasetManifest | CompactDatasetManifest): DatasetManifest {
  if (!isCompactManifest(manifest)) return manifest;
  const out: Record<string, unknown> = { ...manifest };
  for (const field of TRACE_LIST_FIELDS) {
    const list = manifest[field];
    if (list !== undefined) out[field] = list.toArray();
  }
  return out as DatasetManifest;
}

/**
 * Validates a dataset manifest whose per-trace lists are {@link PackedStrings} (or `string[]`, which are
 * packed): the other fields go through {@link DatasetManifestSchema} with empty lists in their place, the
 * lists through the schema's own list checks ({@link traceListIssues}), then the checksum is verified —
 * so exactly the manifests {@link parseDatasetManifest} accepts are accepted. A failing manifest is
 * expanded and handed to parseDatasetManifest, so the error is the same too.
 *
 * @param input - a manifest object.
 * @param source - file path or key for error messages.
 * @throws TunixError `MANIFEST_INVALID` or `MANIFEST_CHECKSUM_MISMATCH`, as parseDatasetManifest.
 */
export function parseCompactDatasetManifest(input: Record<string, unknown>, source?: string): CompactDatasetManifest {
  const lists: Partial<Record<TraceListField, PackedStrings>> = {};
  const header: Record<string, unknown> = { ...input };
  for (const field of TRACE_LIST_FIELDS) {
    const list = input[field];
    if (list instanceof PackedStrings) lists[field] = list;
    else if (Array.isArray(list) && list.every((s) => typeof s === "string")) lists[field] = PackedStrings.from(list, TRACE_LIST_ENCODINGS[field]);
    else if (list !== undefined) return fail(input, source); // not a list of strings: the schema names it
    if (list !== undefined) header[field] = [];
  }
  const parsed = DatasetManifestSchema.safeParse(migrateDatasetManifest(header));
  if (!parsed.success || lists.trace_ids === undefined) return fail(input, source);
  const manifest: Record<string, unknown> = parsed.data;
  Object.assign(manifest, lists);
  if (traceListIssues(manifest as CompactDatasetManifest).length > 0) return fail(input, source);
  verifyChecksum(manifest, "dataset manifest", source);
  return manifest as CompactDatasetManifest;
}

/** The reference parser's error for a manifest the compact path refused. */
function fail(input: Record<string, unknown>, source: string | undefined): never {
  const plain: Record<string, unknown> = { ...input };
  for (const field of TRACE_LIST_FIELDS) if (plain[field] instanceof PackedStrings) plain[field] = (plain[field] as PackedStrings).toArray();
  parseDatasetManifest(plain, source);
  throw new TunixError("MANIFEST_INVALID", `internal: the compact check refused a manifest the schema accepts${source ? ` (${source})` : ""}`);
}

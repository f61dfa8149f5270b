import { z } from "zod";
import { JsonRecordSchema, SafeKeySchema, Sha256HexSchema, TimestampSchema } from "./common.js";
import { PackedStrings, type StringList } from "./packed-strings.js";

/** Current `schema_version` of {@link DatasetManifestSchema}. Python tunix-rt manifests have none (version 0). */
export const DATASET_MANIFEST_SCHEMA_VERSION = 1;

/**
 * Dataset statistics. The Python fields (`trace_count`, `avg_step_count`, `min_step_count`,
 * `max_step_count`, `avg_total_chars`, free extras such as `composition`) are read as they are; tunix-rt
 * builds add totals, per-stratum / per-split counts and the duplicates dropped.
 */
export const DatasetStatsSchema = z.looseObject({
  /** Number of traces in the dataset. */
  trace_count: z.number().int().min(0),
  /** Fewest steps in one trace (0 for an empty dataset). */
  min_step_count: z.number().min(0).optional(),
  /** Mean steps per trace. */
  avg_step_count: z.number().min(0).optional(),
  /** Most steps in one trace. */
  max_step_count: z.number().min(0).optional(),
  /** Total characters (code points) of prompt + steps + final answer over all traces. */
  total_chars: z.number().int().min(0).optional(),
  /** Mean characters per trace. */
  avg_total_chars: z.number().min(0).optional(),
  /** Traces that matched the filter (before sampling and dedup). */
  candidate_count: z.number().int().min(0).optional(),
  /** Candidates dropped because they duplicated (normalized prompt + answer) a selected trace. */
  duplicates_dropped: z.number().int().min(0).optional(),
  /** Selected traces per stratum (stratified builds). */
  per_stratum: z.record(z.string(), z.number().int().min(0)).optional(),
  /** Candidates available per stratum (stratified builds). */
  stratum_candidates: z.record(z.string(), z.number().int().min(0)).optional(),
  /** Traces per split (builds with `splits`). */
  per_split: z.record(z.string(), z.number().int().min(0)).optional(),
});

/** One output split: its requested fraction, the traces it received and its own fingerprint. */
export const DatasetSplitSchema = z.object({
  /** Requested fraction in [0, 1]; assignment is by hash, so the realised share is close, not exact. */
  fraction: z.number().min(0).max(1),
  /** Traces assigned to this split. */
  count: z.number().int().min(0),
  /** sha256 chaining the dataset fingerprint, the split name and this split's ids + content hashes. */
  fingerprint: Sha256HexSchema,
});

/** How a tunix-rt build selected its traces: everything needed to reproduce and diff it. */
export const DatasetSelectionSchema = z.object({
  /** Operation name and version, e.g. `select@1`; bumped whenever selection behaviour changes. */
  op: z.string().min(1),
  /** The normalized request (defaults removed, name/version/parent dropped) that entered the fingerprint. */
  args: JsonRecordSchema,
  /** How sampling priorities are derived, e.g. `sha256(seed,content_hash)-topk@1`. */
  sampler: z.string().min(1),
  /** Name of the seeded PRNG family the library uses (recorded for reproducibility). */
  rng: z.string().min(1),
  /** sha256 over the selected `[id, content_hash]` pairs in manifest order (one canonical JSON line each). */
  selection_sha256: Sha256HexSchema,
});

const NullableString = z.string().nullable().default(null);
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A frozen dataset: which traces, in which order, selected how. The field names of the Python tunix-rt
 * `DatasetManifest` are kept unchanged; tunix-rt adds `schema_version`, `fingerprint`, `parent_fingerprint`,
 * `content_hashes`, `splits`, `trace_splits`, `selection`, `library_version` and `checksum`, all optional
 * on read so Python manifests load (through {@link parseDatasetManifest}). Unknown keys are kept.
 */
export const DatasetManifestSchema = z
  .looseObject({
    /** Manifest format version ({@link DATASET_MANIFEST_SCHEMA_VERSION}). */
    schema_version: z.literal(DATASET_MANIFEST_SCHEMA_VERSION),
    /** `name-version`, a safe file name. */
    dataset_key: SafeKeySchema,
    /** Identifier of this build (tunix-rt: `<key>-<fingerprint prefix>`; Python: a UUID or any string). */
    build_id: z.string().min(1),
    /** Dataset name. */
    dataset_name: z.string().min(1),
    /** Dataset version. */
    dataset_version: z.string().min(1),
    /** Version of the trace schema the dataset holds (Python's field, "1.0"). */
    dataset_schema_version: z.string().default("1.0"),
    /** When the manifest was built (ISO-8601). Not part of the fingerprint. */
    created_at: TimestampSchema,
    /** The filter the build used (tunix-rt: the storage filter language; Python: a flat dict). */
    filters: z.json().default({}),
    /** `latest`, `random` or `stratified` for tunix-rt builds; Python also wrote e.g. `static`. */
    selection_strategy: z.string().min(1),
    /** The build's seed, or null for unseeded strategies. */
    seed: z.union([z.number(), z.string()]).nullable().default(null),
    /** Selected trace ids in dataset order, each non-empty. (Python's static manifests leave it empty.) */
    trace_ids: z.array(z.string()),
    /** Number of traces (equals `trace_ids.length` whenever ids are listed). */
    trace_count: z.number().int().min(0),
    /** Statistics. */
    stats: DatasetStatsSchema,
    /** Python field, kept for compatibility. */
    session_id: NullableString,
    /** Key of the dataset this one was derived from. */
    parent_dataset_id: NullableString,
    /** Python field: the training run that produced or consumed this dataset. */
    training_run_id: NullableString,
    /** Free provenance record. */
    provenance: JsonRecordSchema.nullable().default(null),
    /** Fingerprint of this build (null for Python manifests, which had none). */
    fingerprint: Sha256HexSchema.nullable().default(null),
    /** Fingerprint of the parent dataset, chaining lineage. */
    parent_fingerprint: Sha256HexSchema.nullable().default(null),
    /**
     * Content hash of each trace (lowercase hex sha256), index for index with `trace_ids`. The digest format
     * is checked in the object refinement with one loop: a per-element regex schema made reading a
     * 1M-trace manifest seconds slower.
     */
    content_hashes: z.array(z.string()).optional(),
    /** Output splits by name. */
    splits: z.record(z.string().min(1), DatasetSplitSchema).optional(),
    /** Split name of each trace, index for index with `trace_ids`. */
    trace_splits: z.array(z.string()).optional(),
    /** How the traces were selected. */
    selection: DatasetSelectionSchema.optional(),
    /** tunix-rt version that wrote the manifest. */
    library_version: z.string().optional(),
    /** `sha256:<hex>` of the manifest's stable JSON without this field; verified on read when present. */
    checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be 'sha256:' + 64 hex digits").optional(),
  })
  .superRefine((m, ctx) => {
    for (const issue of traceListIssues(m)) ctx.addIssue({ code: "custom", ...issue });
  });

/** The fields {@link traceListIssues} checks: the per-trace lists and what they must agree with. */
export interface TraceListFields {
  /** Trace ids. */
  trace_ids: StringList;
  /** Claimed number of traces. */
  trace_count: number;
  /** Content hash per trace. */
  content_hashes?: StringList | undefined;
  /** Split name per trace. */
  trace_splits?: StringList | undefined;
  /** Declared splits. */
  splits?: Record<string, unknown> | undefined;
}

/**
 * The problems of a manifest's per-trace lists, in the order the schema reports them: an empty id, a
 * content hash that is not a lowercase hex sha256 (the first one only), a `trace_count` that differs from
 * the ids listed, lists whose lengths differ from `trace_ids`, a trace naming an undeclared split. One loop
 * per list: a per-element zod schema made reading a 1M-trace manifest seconds slower. Shared by
 * {@link DatasetManifestSchema} and the packed-list path, so both accept exactly the same manifests.
 *
 * @param m - the lists and the fields they must agree with.
 */
export function traceListIssues(m: TraceListFields): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const n = m.trace_ids.length;
  const emptyId = m.trace_ids.indexOf("");
  if (emptyId >= 0) issues.push({ path: ["trace_ids", emptyId], message: "must not be empty" });
  // Every entry of a digest-encoded packed list is a lowercase hex sha256 by construction.
  if (m.content_hashes !== undefined && !(m.content_hashes instanceof PackedStrings && m.content_hashes.encoding === "digest")) {
    const bad = firstIndex(m.content_hashes, (h) => !SHA256_HEX.test(h));
    if (bad >= 0) issues.push({ path: ["content_hashes", bad], message: "must be a lowercase hex sha256 (64 characters)" });
  }
  if (n > 0 && m.trace_count !== n) issues.push({ path: ["trace_count"], message: `is ${m.trace_count} but trace_ids lists ${n} ids` });
  for (const field of ["content_hashes", "trace_splits"] as const) {
    const list = m[field];
    if (list !== undefined && list.length !== n) issues.push({ path: [field], message: `has ${list.length} entries but trace_ids has ${n}` });
  }
  if (m.trace_splits !== undefined) {
    const names = new Set(Object.keys(m.splits ?? {}));
    const bad = firstIndex(m.trace_splits, (s) => !names.has(s));
    if (bad >= 0) issues.push({ path: ["trace_splits", bad], message: `names split "${m.trace_splits.at(bad)}" which is not in splits` });
  }
  return issues;
}

function firstIndex(list: StringList, test: (s: string) => boolean): number {
  let i = 0;
  for (const s of list) {
    if (test(s)) return i;
    i++;
  }
  return -1;
}

/** A validated dataset manifest. */
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;
/** Input accepted by {@link DatasetManifestSchema} (defaults may be omitted). */
export type DatasetManifestInput = z.input<typeof DatasetManifestSchema>;
/** Dataset statistics. */
export type DatasetStats = z.infer<typeof DatasetStatsSchema>;
/** One output split of a dataset. */
export type DatasetSplit = z.infer<typeof DatasetSplitSchema>;
/** Selection record of a tunix-rt build. */
export type DatasetSelection = z.infer<typeof DatasetSelectionSchema>;

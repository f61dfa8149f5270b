import { TunixError } from "../errors.js";
import type { DatasetManifestLike, StringList } from "../manifest/index.js";
import type { StoredTrace, TraceStore } from "../storage/index.js";

/** Most ids listed in each problem list of a {@link VerifyReport} (counts are always exact). */
export const MAX_REPORTED_IDS = 1000;

/** Result of {@link verifyDataset}. */
export interface VerifyReport {
  /** True when every trace exists and (where the manifest has hashes) has the recorded content hash. */
  ok: boolean;
  /** Traces checked. */
  checked: number;
  /** Missing traces. */
  missingCount: number;
  /** Up to {@link MAX_REPORTED_IDS} missing ids, in manifest order. */
  missing: string[];
  /** Traces whose content hash changed. */
  changedCount: number;
  /** Up to {@link MAX_REPORTED_IDS} changed traces with both hashes. */
  changed: { id: string; expected: string; actual: string }[];
  /** False for manifests without `content_hashes` (Python ones): only existence was checked. */
  hashesChecked: boolean;
}

/**
 * Gets manifest traces in manifest order, `batchSize` ids per store round trip, one batch at a time
 * (`ids[i]`'s trace is `got[i]`, undefined when missing; its position is `start + i`); with `positions`,
 * only the entries at those positions (e.g. one split's), positions counting within them.
 *
 * @internal shared by verify and export.
 */
export async function* fetchInOrder(store: TraceStore, ids: StringList, batchSize: number, positions?: ArrayLike<number>) {
  const n = positions === undefined ? ids.length : positions.length;
  for (let start = 0; start < n; start += batchSize) {
    const batch = new Array<string>(Math.min(batchSize, n - start));
    for (let i = 0; i < batch.length; i++) batch[i] = ids.at(positions === undefined ? start + i : positions[start + i]!)!;
    yield { start, ids: batch, got: await store.getMany(batch) };
  }
}

/**
 * Throws when a manifest cannot be checked or exported because it lists no ids (the Python static
 * manifests, e.g. dev-reasoning-v2, have `trace_count` > 0 and empty `trace_ids`).
 */
export function assertListsIds(manifest: DatasetManifestLike): void {
  if (manifest.trace_ids.length === 0 && manifest.trace_count > 0) {
    throw new TunixError(
      "DATASET_INVALID",
      `dataset ${manifest.dataset_key} has trace_count ${manifest.trace_count} but lists no trace_ids (a static Python manifest); rebuild it with buildDataset`,
    );
  }
}

/**
 * Re-checks that every trace a manifest references still exists in `store` with the content hash
 * recorded at build time. Never throws for missing or changed traces: they are reported.
 *
 * @param manifest - a dataset manifest (plain or compact).
 * @param store - the store the dataset was built from (or a copy with the same ids).
 * @param options - `batchSize`: ids per round trip (default 1000).
 * @throws TunixError `DATASET_INVALID` when the manifest lists no ids but claims traces.
 */
export async function verifyDataset(manifest: DatasetManifestLike, store: TraceStore, options: { batchSize?: number } = {}): Promise<VerifyReport> {
  assertListsIds(manifest);
  const hashes = manifest.content_hashes;
  const report: VerifyReport = { ok: true, checked: 0, missingCount: 0, missing: [], changedCount: 0, changed: [], hashesChecked: hashes !== undefined };
  for await (const { start, ids, got } of fetchInOrder(store, manifest.trace_ids, options.batchSize ?? 1000)) {
    for (let i = 0; i < ids.length; i++) check(report, hashes, start + i, ids[i]!, got[i]);
  }
  report.ok = report.missingCount === 0 && report.changedCount === 0;
  return report;
}

/** Counts one trace of a verify run into the report. */
function check(report: VerifyReport, hashes: StringList | undefined, index: number, id: string, stored: StoredTrace | undefined): void {
  report.checked++;
  if (stored === undefined) {
    report.missingCount++;
    if (report.missing.length < MAX_REPORTED_IDS) report.missing.push(id);
  } else if (hashes !== undefined && stored.content_hash !== hashes.at(index)) {
    report.changedCount++;
    if (report.changed.length < MAX_REPORTED_IDS) report.changed.push({ id, expected: hashes.at(index)!, actual: stored.content_hash });
  }
}

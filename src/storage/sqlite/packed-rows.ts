/**
 * Records packed for the writer thread: every text column of a chunk written as UTF-8 into one buffer
 * that is transferred (moved, not copied) to the thread, which binds slices of it. Structured clone of
 * string columns cost the main thread ~2.5 µs per trace (flattening and copying each string) and the
 * thread as much again to rebuild them, and kept every chunk's JSON texts alive until it was sent.
 * @module
 */
import type { TraceRecord } from "../backend.js";

/** Text columns per row, in the writer's INSERT order. */
export const PACKED_FIELDS = 6;

/** A chunk of rows: field j of row i is `bytes[ends[k - 1] .. ends[k])` with k = i * 6 + j (ends[-1] = 0). */
export interface PackedRows {
  /** Rows. */
  readonly n: number;
  /** UTF-8 of every field, back to back (a view of the start of a larger buffer, which is transferred). */
  readonly bytes: Uint8Array;
  /** End offset of each field. */
  readonly ends: Int32Array;
  /** 1 where the row's meta is SQL NULL (its slice is then empty). */
  readonly nullMeta: Uint8Array;
}

/** Column order of a packed row (matching the INSERT's). */
export const PACKED_COLUMNS = "id, created_at, content_hash, trace_version, meta, body";

/**
 * Packs records (UTF-8, one buffer).
 *
 * @param records - the records.
 */
export function packRows(records: readonly TraceRecord[]): PackedRows {
  const n = records.length;
  let cap = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    cap += r.id.length + r.created_at.length + r.content_hash.length + r.trace_version.length + (r.meta_json?.length ?? 0) + r.body.length;
  }
  // UTF-16 code unit → at most 3 UTF-8 bytes.
  const bytes = Buffer.allocUnsafeSlow(cap * 3);
  const ends = new Int32Array(n * PACKED_FIELDS);
  const nullMeta = new Uint8Array(n);
  let at = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    at += bytes.write(r.id, at);
    ends[k++] = at;
    at += bytes.write(r.created_at, at);
    ends[k++] = at;
    at += bytes.write(r.content_hash, at);
    ends[k++] = at;
    at += bytes.write(r.trace_version, at);
    ends[k++] = at;
    if (r.meta_json === null) nullMeta[i] = 1;
    else at += bytes.write(r.meta_json, at);
    ends[k++] = at;
    at += bytes.write(r.body, at);
    ends[k++] = at;
  }
  return { n, bytes: bytes.subarray(0, at), ends, nullMeta };
}

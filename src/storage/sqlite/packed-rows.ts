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
 * Writes `s` as UTF-8 at `at`; returns the bytes written. An ASCII string (its UTF-8 length equals its
 * length) is copied as latin1, which is ~5× cheaper than V8's UTF-8 encoder and gives the same bytes.
 */
function writeText(bytes: Buffer, s: string, at: number): number {
  return Buffer.byteLength(s) === s.length ? bytes.write(s, at, "latin1") : bytes.write(s, at);
}

/** First capacity of a builder's buffer (grown by doubling). */
const FIRST_CAPACITY = 1 << 20;

/**
 * Packs records as they are made, so their JSON texts die young instead of surviving (and being copied
 * by) garbage collections until a whole chunk is ready. {@link PackedRowsBuilder.take} hands the rows
 * packed so far over and starts a new buffer.
 */
export class PackedRowsBuilder {
  private bytes = Buffer.allocUnsafeSlow(FIRST_CAPACITY);
  private ends = new Int32Array(256 * PACKED_FIELDS);
  private nullMeta = new Uint8Array(256);
  private at = 0;
  private n = 0;

  /** Rows packed so far. */
  get rows(): number {
    return this.n;
  }

  /**
   * Appends records.
   *
   * @param records - the records.
   */
  add(records: readonly TraceRecord[]): void {
    for (const r of records) this.addOne(r);
  }

  private addOne(r: TraceRecord): void {
    // UTF-16 code unit → at most 3 UTF-8 bytes.
    const most = 3 * (r.id.length + r.created_at.length + r.content_hash.length + r.trace_version.length + (r.meta_json?.length ?? 0) + r.body.length);
    if (this.at + most > this.bytes.length) this.grow(this.at + most);
    if (this.n === this.nullMeta.length) {
      const ends = new Int32Array(this.ends.length * 2);
      ends.set(this.ends);
      this.ends = ends;
      const nullMeta = new Uint8Array(this.nullMeta.length * 2);
      nullMeta.set(this.nullMeta);
      this.nullMeta = nullMeta;
    }
    const { bytes, ends } = this;
    let at = this.at;
    let k = this.n * PACKED_FIELDS;
    // Ids (printable ASCII, see checkTraceId), ISO times and hex hashes are ASCII: latin1 is a plain copy.
    at += bytes.write(r.id, at, "latin1");
    ends[k++] = at;
    at += bytes.write(r.created_at, at, "latin1");
    ends[k++] = at;
    at += bytes.write(r.content_hash, at, "latin1");
    ends[k++] = at;
    at += writeText(bytes, r.trace_version, at);
    ends[k++] = at;
    if (r.meta_json === null) this.nullMeta[this.n] = 1;
    else at += writeText(bytes, r.meta_json, at);
    ends[k++] = at;
    at += writeText(bytes, r.body, at);
    ends[k] = at;
    this.at = at;
    this.n++;
  }

  private grow(need: number): void {
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const bytes = Buffer.allocUnsafeSlow(cap);
    this.bytes.copy(bytes, 0, 0, this.at);
    this.bytes = bytes;
  }

  /** The rows packed so far (their buffers are the caller's to transfer); the builder starts afresh. */
  take(): PackedRows {
    const out: PackedRows = { n: this.n, bytes: this.bytes.subarray(0, this.at), ends: this.ends.subarray(0, this.n * PACKED_FIELDS), nullMeta: this.nullMeta.subarray(0, this.n) };
    this.bytes = Buffer.allocUnsafeSlow(Math.max(FIRST_CAPACITY, this.bytes.length));
    this.ends = new Int32Array(this.ends.length);
    this.nullMeta = new Uint8Array(this.nullMeta.length);
    this.at = 0;
    this.n = 0;
    return out;
  }
}

/**
 * Packs records (UTF-8, one buffer).
 *
 * @param records - the records.
 */
export function packRows(records: readonly TraceRecord[]): PackedRows {
  const b = new PackedRowsBuilder();
  b.add(records);
  return b.take();
}

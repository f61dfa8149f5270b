/**
 * Records packed for the writer thread: every text column of a chunk written as UTF-8 into one buffer
 * that is transferred (moved, not copied) to the thread, which binds slices of it. Structured clone of
 * string columns cost the main thread ~2.5 µs per trace (flattening and copying each string) and the
 * thread as much again to rebuild them, and kept every chunk's JSON texts alive until it was sent.
 * @module
 */
import type { PlainTraceRecord, TraceRecord } from "../backend.js";

/** Text columns per row, in the writer's INSERT order. */
export const PACKED_FIELDS = 6;

/** {@link PackedRows.kinds}: the row's meta is a text. */
export const ROW_META = 0;
/** {@link PackedRows.kinds}: the row's meta is SQL NULL (its slice is empty). */
export const ROW_NULL_META = 1;
/**
 * {@link PackedRows.kinds}: a plain record ({@link PlainTraceRecord}): its meta and content-hash slices are
 * empty and the writer derives both from the body.
 */
export const ROW_PLAIN = 2;

/** A chunk of rows: field j of row i is `bytes[ends[k - 1] .. ends[k])` with k = i * 6 + j (ends[-1] = 0). */
export interface PackedRows {
  /** Rows. */
  readonly n: number;
  /** UTF-8 of every field, back to back (a view of the start of a larger buffer, which is transferred). */
  readonly bytes: Uint8Array;
  /** End offset of each field. */
  readonly ends: Int32Array;
  /** Per row: {@link ROW_META}, {@link ROW_NULL_META} or {@link ROW_PLAIN}. */
  readonly kinds: Uint8Array;
}

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
  private kinds = new Uint8Array(256);
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
    for (const r of records) this.addOne(r, r.content_hash, r.meta_json, r.meta_json === null ? ROW_NULL_META : ROW_META);
  }

  /**
   * Appends plain records (the writer derives their meta and content hash).
   *
   * @param records - the records.
   */
  addPlain(records: readonly PlainTraceRecord[]): void {
    for (const r of records) this.addOne(r, "", null, ROW_PLAIN);
  }

  private addOne(r: PlainTraceRecord, hash: string, metaJson: string | null, kind: number): void {
    // UTF-16 code unit → at most 3 UTF-8 bytes.
    const most = 3 * (r.id.length + r.created_at.length + hash.length + r.trace_version.length + (metaJson?.length ?? 0) + r.body.length);
    if (this.at + most > this.bytes.length) this.grow(this.at + most);
    if (this.n === this.kinds.length) {
      const ends = new Int32Array(this.ends.length * 2);
      ends.set(this.ends);
      this.ends = ends;
      const kinds = new Uint8Array(this.kinds.length * 2);
      kinds.set(this.kinds);
      this.kinds = kinds;
    }
    const { bytes, ends } = this;
    let at = this.at;
    let k = this.n * PACKED_FIELDS;
    // Ids (printable ASCII, see checkTraceId), ISO times and hex hashes are ASCII: latin1 is a plain copy.
    at += bytes.write(r.id, at, "latin1");
    ends[k++] = at;
    at += bytes.write(r.created_at, at, "latin1");
    ends[k++] = at;
    at += bytes.write(hash, at, "latin1");
    ends[k++] = at;
    at += writeText(bytes, r.trace_version, at);
    ends[k++] = at;
    this.kinds[this.n] = kind;
    if (metaJson !== null) at += writeText(bytes, metaJson, at);
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
    const out: PackedRows = { n: this.n, bytes: this.bytes.subarray(0, this.at), ends: this.ends.subarray(0, this.n * PACKED_FIELDS), kinds: this.kinds.subarray(0, this.n) };
    this.bytes = Buffer.allocUnsafeSlow(Math.max(FIRST_CAPACITY, this.bytes.length));
    this.ends = new Int32Array(this.ends.length);
    this.kinds = new Uint8Array(this.kinds.length);
    this.at = 0;
    this.n = 0;
    return out;
  }
}

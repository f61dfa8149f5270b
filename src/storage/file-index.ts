/**
 * The file store's in-memory index: one 40-byte binary record per trace (creation time as a number,
 * segment position, sidecar position, trace_version code, a 32-bit fingerprint of the sha256) in 1.3 MB
 * chunks, ids in an {@link IdPool} (16 bytes for a UUID), a {@link SlotTable} by id and lazily sorted
 * {@link SlotOrder}s: ~60 bytes per trace plus the id, where objects with strings and meta cost ~500. No copy ever spans
 * the whole index, so growing it never doubles its memory. Meta and the full content hash stay on disk
 * (the sidecar entry holds both); the table by fingerprint is built on the first dedupe.
 */
import { TunixError } from "../errors.js";
import { IdPool } from "./id-pool.js";
import { hashBytes, SlotTable } from "./slot-table.js";
import { SlotOrder } from "./slot-order.js";
import type { ByteSpan } from "./span-reader.js";
import type { OrderBy } from "./types.js";

/** What the file store knows about one stored trace. */
export interface FileEntry {
  /** Store id (printable ASCII, checked by the caller). */
  id: string;
  /** Creation time in ms since the epoch (the ISO-8601 `created_at`, parsed). */
  createdMs: number;
  /** The sha256 content hash, 32 bytes. */
  hash: Uint8Array;
  /** `trace.trace_version`. */
  traceVersion: string;
  /** Segment number. */
  seg: number;
  /** Byte offset of the record line in the segment. */
  off: number;
  /** Byte length of the record line (with its `\n`). */
  len: number;
  /** Byte offset of the trace's entry in the segment's sidecar. */
  idxOff: number;
  /** Byte length of that entry, or 0 when the sidecar has none (then the segment is read instead). */
  idxLen: number;
}

// Slot record layout (little endian). LEN 0 marks a deleted slot (a record line is never empty).
const CREATED = 0; // f64 ms
const SEG = 8; // u32
const OFF = 12; // u32
const LEN = 16; // u32
const ID_AT = 20; // u32: offset in the id pool
const ID_CODE = 24; // u16: IdPool length code
const VERSION = 26; // u16: index into versions
const IDX_OFF = 28; // u32
const IDX_LEN = 32; // u32
const FP = 36; // u32: fingerprint of the content hash
const RECORD = 40;
const CHUNK_BITS = 15;
const CHUNK_SLOTS = 1 << CHUNK_BITS;

/** A hash of all 32 bytes (stores written by tools may not hold real sha256s, so no fixed 4 of them). */
const fingerprint = (hash: Uint8Array): number => hashBytes(hash, 0, 32);

/** Largest segment offset a slot can hold: the writer starts a new segment before passing it. */
export const MAX_SEGMENT_OFFSET = 0xffff_ffff;

/** The slots of a file store; see the module comment. Slot numbers follow file order. */
export class FileIndex {
  private views: DataView[] = [];
  private bytes: Buffer[] = [];
  private pool = new IdPool();
  private slots = 0;
  private live = 0;
  private readonly versions: string[] = [];
  private readonly versionCodes = new Map<string, number>();
  // Hash tags kept for the id table: opening 1M traces probes it 1M times (1.4 vs 2.3 s CPU without, +4 MB).
  private readonly byId = new SlotTable((s) => this.idHash(s), true);
  private byHash: SlotTable | undefined;
  private readonly orders: Record<OrderBy, SlotOrder> = {
    created_at: new SlotOrder((a, b) => this.createdMs(a) - this.createdMs(b) || this.compareIds(a, b)),
    id: new SlotOrder((a, b) => this.compareIds(a, b)),
  };

  /** Number of live traces. */
  get size(): number {
    return this.live;
  }

  /** Number of slots, live or deleted (slot numbers are below it). */
  get slotCount(): number {
    return this.slots;
  }

  /** Number of deleted slots still taking room (see {@link FileIndex.compact}). */
  get deadCount(): number {
    return this.slots - this.live;
  }

  /** Adds an entry (replacing a live one with the same id); returns its slot. */
  add(e: FileEntry): number {
    if (e.len === 0 || e.off + e.len > MAX_SEGMENT_OFFSET) throw new TunixError("STORE_CORRUPT", `record at segment ${e.seg} byte ${e.off} (${e.len} bytes) is empty or past the 4 GiB a segment may hold`);
    const key = this.pool.key(e.id);
    const old = this.byId.find(key.hash, (s) => this.pool.equals(this.u32(s, ID_AT), this.idCode(s), key));
    if (old >= 0) this.kill(old);
    const slot = this.slots;
    if ((slot & (CHUNK_SLOTS - 1)) === 0) {
      const buf = new ArrayBuffer(CHUNK_SLOTS * RECORD);
      this.views.push(new DataView(buf));
      this.bytes.push(Buffer.from(buf));
    }
    const v = this.views[slot >>> CHUNK_BITS]!;
    const o = (slot & (CHUNK_SLOTS - 1)) * RECORD;

    v.setFloat64(o + CREATED, e.createdMs, true);
    v.setUint32(o + SEG, e.seg, true);
    v.setUint32(o + OFF, e.off, true);
    v.setUint32(o + LEN, e.len, true);
    v.setUint32(o + ID_AT, this.pool.store(key), true);
    v.setUint16(o + ID_CODE, key.code, true);
    v.setUint16(o + VERSION, this.versionCode(e.traceVersion), true);
    v.setUint32(o + IDX_OFF, e.idxOff, true);
    v.setUint32(o + IDX_LEN, e.idxLen, true);
    const fp = fingerprint(e.hash);
    v.setUint32(o + FP, fp, true);
    this.slots++;
    this.live++;
    this.byId.add(slot, key.hash);
    this.byHash?.add(slot, fp);
    return slot;
  }

  /**
   * Sizes the id table for about `count` live traces at once (opening a store calls it with an estimate:
   * growing the table one doubling at a time rehashed ~1.5 ids per id).
   *
   * @param count - the expected number of traces.
   */
  reserve(count: number): void {
    this.byId.reserve(count);
  }

  /** Deletes the entry with this id; false when there is none. */
  remove(id: string): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    this.kill(slot);
    return true;
  }

  /** The live slot holding `id`, or -1. */
  slotOf(id: string): number {
    const key = this.pool.key(id);
    return this.byId.find(key.hash, (s) => this.pool.equals(this.u32(s, ID_AT), this.idCode(s), key));
  }

  /**
   * Live slots whose content hash has the same 32-bit fingerprint as `hash`: every slot holding `hash`,
   * plus (odds ~n/2^32, 0.02 % at a million) others; the caller compares the full hashes from disk.
   */
  hashCandidates(hash: Uint8Array): number[] {
    const fp = fingerprint(hash);
    if (!this.byHash) {
      this.byHash = new SlotTable((s) => this.u32(s, FP));
      let k = 0;
      const live = new Int32Array(this.live);
      for (let s = 0; s < this.slots; s++) if (this.isLive(s)) live[k++] = s;
      this.byHash.rebuild(k, (i) => live[i]!);
    }
    const out: number[] = [];
    this.byHash.find(fp, (s) => {
      if (this.u32(s, FP) === fp) out.push(s);
      return false;
    });
    return out;
  }

  /** False for a deleted slot. */
  isLive(slot: number): boolean {
    return this.u32(slot, LEN) !== 0;
  }

  /** The id of a slot. */
  id(slot: number): string {
    return this.pool.toString(this.u32(slot, ID_AT), this.idCode(slot));
  }

  /** Creation time of a slot, ms since the epoch. */
  createdMs(slot: number): number {
    return this.views[slot >>> CHUNK_BITS]!.getFloat64((slot & (CHUNK_SLOTS - 1)) * RECORD + CREATED, true);
  }

  /** Creation time of a slot as ISO-8601 (`created_at`). */
  createdAt(slot: number): string {
    return new Date(this.createdMs(slot)).toISOString();
  }

  /** `trace_version` of a slot. */
  traceVersion(slot: number): string {
    return this.versions[this.views[slot >>> CHUNK_BITS]!.getUint16((slot & (CHUNK_SLOTS - 1)) * RECORD + VERSION, true)]!;
  }

  /** Where a slot's record line is (`file` = segment number). */
  span(slot: number): ByteSpan {
    return { file: this.u32(slot, SEG), off: this.u32(slot, OFF), len: this.u32(slot, LEN) };
  }

  /** Where a slot's sidecar entry is (`file` = segment number), or undefined when it has none. */
  sidecarSpan(slot: number): ByteSpan | undefined {
    const len = this.u32(slot, IDX_LEN);
    return len === 0 ? undefined : { file: this.u32(slot, SEG), off: this.u32(slot, IDX_OFF), len };
  }

  /** Slots sorted by (orderBy, id), possibly with deleted ones in between (skip them with isLive). */
  order(orderBy: OrderBy): Int32Array {
    return this.orders[orderBy].view(this.slots, (s) => this.isLive(s));
  }

  /** Compares two slots' ids as strings compare. */
  compareIds(a: number, b: number): number {
    return this.pool.compare(this.u32(a, ID_AT), this.idCode(a), this.u32(b, ID_AT), this.idCode(b));
  }

  /**
   * Drops deleted slots, renumbering the live ones (file order is kept). Slot numbers held elsewhere are
   * invalid afterwards: call it only when nothing is reading.
   */
  compact(): void {
    if (this.deadCount === 0) return;
    const old = { views: this.views, bytes: this.bytes, pool: this.pool, slots: this.slots };
    this.views = [];
    this.bytes = [];
    this.pool = new IdPool();
    this.slots = 0;
    this.live = 0;
    for (let s = 0; s < old.slots; s++) {
      const v = old.views[s >>> CHUNK_BITS]!;
      const o = (s & (CHUNK_SLOTS - 1)) * RECORD;
      if (v.getUint32(o + LEN, true) === 0) continue;
      const slot = this.slots;
      if ((slot & (CHUNK_SLOTS - 1)) === 0) {
        const buf = new ArrayBuffer(CHUNK_SLOTS * RECORD);
        this.views.push(new DataView(buf));
        this.bytes.push(Buffer.from(buf));
      }
      const at = (slot & (CHUNK_SLOTS - 1)) * RECORD;
      const dst = this.bytes[slot >>> CHUNK_BITS]!;
      dst.set(old.bytes[s >>> CHUNK_BITS]!.subarray(o, o + RECORD), at);
      const idAt = this.pool.copyFrom(old.pool, v.getUint32(o + ID_AT, true), v.getUint16(o + ID_CODE, true));
      this.views[slot >>> CHUNK_BITS]!.setUint32(at + ID_AT, idAt, true);
      this.slots++;
      this.live++;
    }
    this.byId.rebuild(this.slots, (k) => k);
    this.byHash?.rebuild(this.slots, (k) => k);
    this.orders.created_at.reset();
    this.orders.id.reset();
  }

  private kill(slot: number): void {
    this.byId.delete(slot);
    this.byHash?.delete(slot);
    this.views[slot >>> CHUNK_BITS]!.setUint32((slot & (CHUNK_SLOTS - 1)) * RECORD + LEN, 0, true);
    this.live--;
  }

  private u32(slot: number, field: number): number {
    return this.views[slot >>> CHUNK_BITS]!.getUint32((slot & (CHUNK_SLOTS - 1)) * RECORD + field, true);
  }

  private idHash(slot: number): number {
    return this.pool.hash(this.u32(slot, ID_AT), this.idCode(slot));
  }

  private idCode(slot: number): number {
    return this.views[slot >>> CHUNK_BITS]!.getUint16((slot & (CHUNK_SLOTS - 1)) * RECORD + ID_CODE, true);
  }

  private versionCode(v: string): number {
    let code = this.versionCodes.get(v);
    if (code === undefined) {
      if (this.versions.length > 0xffff) throw new TunixError("BACKEND_ERROR", "file store index: more than 65 536 distinct trace_version values");
      code = this.versions.length;
      this.versions.push(v);
      this.versionCodes.set(v, code);
    }
    return code;
  }
}

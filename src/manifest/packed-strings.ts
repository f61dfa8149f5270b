import { TunixError } from "../errors.js";
import { createEntryStore, TextStore, type EntryStore, type PackedEncoding } from "./packed-store.js";

export type { PackedEncoding } from "./packed-store.js";

/**
 * A read-only list of strings — how the per-trace fields of a dataset manifest (`trace_ids`,
 * `content_hashes`, `trace_splits`) are read. A plain `string[]` is one; so is {@link PackedStrings}.
 */
export interface StringList extends Iterable<string> {
  /** Number of entries. */
  readonly length: number;
  /** The entry at `index` (negative counts from the end, as `Array.prototype.at`), or undefined. */
  at(index: number): string | undefined;
  /** The first position of `value`, or -1. */
  indexOf(value: string): number;
}

const JSON_CHUNK_BYTES = 1 << 16;

/**
 * An immutable list of strings packed into a few large byte blocks: about (UTF-8 bytes + 6) bytes per
 * entry, 32 for a sha256 hex digest and 16 for a UUID, instead of about (bytes + 32) for a `string[]`
 * entry — ~50 MB instead of ~150 MB for the ids and content hashes of a million traces. Made by a
 * {@link PackedStringsBuilder} or {@link PackedStrings.from}; `select` makes a reordered view that shares
 * the bytes.
 */
export class PackedStrings implements StringList {
  /** Number of entries. */
  readonly length: number;

  /** @internal use {@link PackedStringsBuilder} or {@link PackedStrings.from}. */
  constructor(
    private readonly store: EntryStore,
    private readonly order: Int32Array | undefined,
    length = order?.length ?? store.length,
  ) {
    this.length = length;
  }

  /**
   * Packs strings.
   *
   * @param strings - the entries.
   * @param encoding - `digest` / `uuid` store entries of that shape in binary (anything else makes the list text).
   */
  static from(strings: Iterable<string>, encoding: PackedEncoding = "text"): PackedStrings {
    const b = new PackedStringsBuilder(encoding);
    for (const s of strings) b.push(s);
    return b.finish();
  }

  /** How the entries are stored; every entry of a `digest` list is a 64-digit lowercase hex string. */
  get encoding(): PackedEncoding {
    return this.store.encoding;
  }

  /** The entry at `index` (negative counts from the end), or undefined when out of range. */
  at(index: number): string | undefined {
    let i = Math.trunc(index) || 0;
    if (i < 0) i += this.length;
    if (i < 0 || i >= this.length) return undefined;
    return this.store.get(this.order === undefined ? i : this.order[i]!);
  }

  /**
   * The first position of `value`, or -1 (as `Array.prototype.indexOf`).
   *
   * @param value - the string to find.
   */
  indexOf(value: string): number {
    for (let i = 0; i < this.length; i++) {
      const j = this.order === undefined ? i : this.order[i]!;
      // "" is found from the lengths alone, without decoding (the manifest check looks for empty ids).
      if (value === "" ? this.store.isEmpty(j) : this.store.get(j) === value) return i;
    }
    return -1;
  }

  /**
   * The entries as JSON string literals joined by `separator` (`"a","b"` for `,`), in byte chunks of
   * about 64 KiB that never split an entry: the JSON text of a million-entry list without building
   * strings for its entries.
   *
   * @param separator - text between two entries (e.g. `,` or `,\n    `).
   * @param reuse - fill the same buffer again once the consumer asks for the next chunk (for consumers
   *   done with a chunk by then, such as a hash or an awaited write: no ~80 MB of garbage buffers per
   *   million entries); default false, a fresh buffer each chunk.
   */
  *jsonChunks(separator: string, reuse = false): Generator<Buffer> {
    const sep = Buffer.from(separator, "utf8");
    let out = Buffer.allocUnsafe(JSON_CHUNK_BYTES);
    let used = 0;
    for (let i = 0; i < this.length; i++) {
      const j = this.order === undefined ? i : this.order[i]!;
      const need = this.store.jsonBound(j) + sep.length;
      if (used + need > out.length) {
        if (used > 0) yield out.subarray(0, used);
        if (!reuse || need > out.length) out = Buffer.allocUnsafe(Math.max(JSON_CHUNK_BYTES, need));
        used = 0;
      }
      if (i > 0) used += sep.copy(out, used);
      used = this.store.writeJson(j, out, used);
    }
    if (used > 0) yield out.subarray(0, used);
  }

  /** The entries in order. */
  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!;
  }

  /** The entries as a `string[]`. */
  toArray(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i)!;
    return out;
  }

  /** A copy in storage of its own (drops the bytes of entries a view leaves out). */
  copy(): PackedStrings {
    return PackedStrings.from(this, this.encoding);
  }

  /** A JSON array, as `JSON.stringify` writes a `string[]`. */
  toJSON(): string[] {
    return this.toArray();
  }

  /**
   * A view of the entries at `indices`, in that order, sharing this list's bytes (no copy).
   *
   * @param indices - positions in this list, each in range.
   * @throws TunixError `INVALID_ARGUMENT` for an index out of range.
   */
  select(indices: ArrayLike<number>): PackedStrings {
    const order = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.length) {
        throw new TunixError("INVALID_ARGUMENT", `PackedStrings.select: index ${i} at position ${k} is out of range 0..${this.length - 1}`);
      }
      order[k] = this.order === undefined ? i : this.order[i]!;
    }
    return new PackedStrings(this.store, order);
  }
}

/**
 * Builds a {@link PackedStrings} by appending; entries can be read back while building (the dataset
 * selector keeps its candidates' ids this way).
 */
export class PackedStringsBuilder {
  private store: EntryStore;

  /** @param encoding - see {@link PackedStrings.from}. */
  constructor(encoding: PackedEncoding = "text") {
    this.store = createEntryStore(encoding);
  }

  /** Entries so far. */
  get length(): number {
    return this.store.length;
  }

  /**
   * Appends one string and returns its index.
   *
   * @param s - the entry.
   */
  push(s: string): number {
    if (!this.store.push(s)) this.toText().push(s);
    return this.store.length - 1;
  }

  /**
   * Appends the string whose UTF-8 bytes are `bytes[start, end)` if they are all printable ASCII (and
   * neither `"` nor `\\`), without making a JS string; false (nothing appended) otherwise.
   *
   * @param bytes - the bytes.
   * @param start - first byte.
   * @param end - end (exclusive).
   */
  pushAscii(bytes: Buffer, start: number, end: number): boolean {
    // A digest or UUID the binary store takes is printable ASCII by its shape: no second look at it.
    if (this.store.encoding !== "text" && this.store.pushAscii(bytes, start, end)) return true;
    for (let k = start; k < end; k++) {
      const c = bytes[k]!;
      if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) return false;
    }
    if (!this.store.pushAscii(bytes, start, end)) this.toText().pushAscii(bytes, start, end);
    return true;
  }

  /** Switches to text (an entry not of the binary shape; manifest validation names a bad hash). */
  private toText(): EntryStore {
    const text = new TextStore();
    for (let i = 0; i < this.store.length; i++) text.push(this.store.get(i));
    this.store = text;
    return text;
  }

  /**
   * The entry at `index` (0 ≤ index < length).
   *
   * @param index - a position.
   */
  get(index: number): string {
    return this.store.get(index);
  }

  /**
   * A list of the entries at `order` that keeps `order` itself (no copy: do not change it afterwards).
   * The dataset selector shares one order between its ids and content hashes this way.
   *
   * @param order - positions, each in 0..length-1.
   * @throws TunixError `INVALID_ARGUMENT` for a position out of range.
   */
  view(order: Int32Array): PackedStrings {
    const n = this.store.length;
    for (let k = 0; k < order.length; k++) {
      if (order[k]! < 0 || order[k]! >= n) throw new TunixError("INVALID_ARGUMENT", `PackedStringsBuilder.view: position ${order[k]} at ${k} is out of range 0..${n - 1}`);
    }
    return new PackedStrings(this.store, order);
  }

  /** The list of everything appended; the builder may go on appending without changing it. */
  finish(): PackedStrings {
    return new PackedStrings(this.store, undefined, this.store.length);
  }
}

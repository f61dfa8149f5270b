import { TunixError } from "../errors.js";

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

/** How a {@link PackedStringsBuilder} stores entries: UTF-8 text, or 64-digit hex digests as 32 bytes. */
export type PackedEncoding = "text" | "digest";

const BLOCK_BYTES = 1 << 20;
const DIGEST_BYTES = 32;
const DIGESTS_PER_BLOCK = BLOCK_BYTES / DIGEST_BYTES;
/** Entries longer than this (in UTF-8 bytes) — and strings UTF-8 cannot hold (lone surrogates) — are kept as they are. */
const MAX_PACKED_BYTES = 0xfffe;
/** Text offsets are 32-bit. */
const MAX_BLOCKS = 2 ** 32 / BLOCK_BYTES;
const UNPACKED = 0xffff;
const JSON_ESCAPED = /["\\\u0000-\u001f]/;
const QUOTE = 0x22;
const HEX_CODES = Buffer.from("0123456789abcdef", "latin1");
const JSON_CHUNK_BYTES = 1 << 16;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The storage behind packed lists: fixed 1 MiB blocks that are filled in order and never moved (so
 * growing never copies the bytes already held), entry offsets, and the rare entries kept as JS strings.
 */
class Store {
  readonly blocks: Buffer[] = [];
  /** Text: start of entry i (block * BLOCK_BYTES + offset). */
  starts = new Uint32Array(1024);
  /** Text: UTF-8 length of entry i, or UNPACKED. */
  lens = new Uint16Array(1024);
  readonly unpacked = new Map<number, string>();
  length = 0;
  /** Every packed text entry is ASCII (decoded as latin1, which is faster). */
  ascii = true;
  /** No packed text entry needs escaping in JSON, so its JSON is its bytes in quotes. */
  jsonPlain = true;
  private used = 0;

  constructor(readonly encoding: PackedEncoding) {}

  /** Appends `s` (a digest store only takes lowercase hex digests: the caller checks). */
  push(s: string): void {
    const i = this.length++;
    if (this.encoding === "digest") {
      const slot = i % DIGESTS_PER_BLOCK;
      if (slot === 0) this.blocks.push(Buffer.allocUnsafeSlow(BLOCK_BYTES));
      this.blocks[this.blocks.length - 1]!.write(s, slot * DIGEST_BYTES, DIGEST_BYTES, "hex");
      return;
    }
    if (i === this.starts.length) this.grow();
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (s.length * 3 > MAX_PACKED_BYTES) return this.keep(i, s);
    if (this.blocks.length === 0 || this.used + s.length * 3 > BLOCK_BYTES) {
      if (this.blocks.length === MAX_BLOCKS) throw new TunixError("INVALID_ARGUMENT", "PackedStrings: more than 4 GiB of text");
      this.blocks.push(Buffer.allocUnsafeSlow(BLOCK_BYTES));
      this.used = 0;
    }
    const block = this.blocks.length - 1;
    const n = this.blocks[block]!.write(s, this.used, "utf8");
    if (n !== s.length) {
      if (LONE_SURROGATE.test(s)) return this.keep(i, s); // UTF-8 would replace it with U+FFFD
      this.ascii = false;
    }
    if (this.jsonPlain && JSON_ESCAPED.test(s)) this.jsonPlain = false;
    this.starts[i] = block * BLOCK_BYTES + this.used;
    this.lens[i] = n;
    this.used += n;
  }

  /** Writes entry i as a JSON string literal into `out` at `at` (room for {@link jsonBound} bytes); returns the end. */
  writeJson(i: number, out: Buffer, at: number): number {
    if (this.encoding === "digest") {
      const block = this.blocks[Math.floor(i / DIGESTS_PER_BLOCK)]!;
      const from = (i % DIGESTS_PER_BLOCK) * DIGEST_BYTES;
      out[at++] = QUOTE;
      for (let k = from; k < from + DIGEST_BYTES; k++) {
        out[at++] = HEX_CODES[block[k]! >> 4]!;
        out[at++] = HEX_CODES[block[k]! & 15]!;
      }
      out[at++] = QUOTE;
      return at;
    }
    const len = this.lens[i]!;
    if (len === UNPACKED || !this.jsonPlain) return at + out.write(JSON.stringify(this.get(i)), at, "utf8");
    const start = this.starts[i]!;
    const from = start % BLOCK_BYTES;
    out[at++] = QUOTE;
    at += this.blocks[Math.floor(start / BLOCK_BYTES)]!.copy(out, at, from, from + len);
    out[at++] = QUOTE;
    return at;
  }

  /** Most bytes {@link writeJson} writes for entry i. */
  jsonBound(i: number): number {
    if (this.encoding === "digest") return 2 + 2 * DIGEST_BYTES;
    const len = this.lens[i]!;
    // A JSON literal takes at most 6 bytes per UTF-16 unit (`\u001f`), and a packed entry has no more units than bytes.
    return len === UNPACKED ? this.unpacked.get(i)!.length * 6 + 2 : len * 6 + 2;
  }

  get(i: number): string {
    if (this.encoding === "digest") {
      const at = (i % DIGESTS_PER_BLOCK) * DIGEST_BYTES;
      return this.blocks[Math.floor(i / DIGESTS_PER_BLOCK)]!.toString("hex", at, at + DIGEST_BYTES);
    }
    const len = this.lens[i]!;
    if (len === UNPACKED) return this.unpacked.get(i)!;
    const start = this.starts[i]!;
    const at = start % BLOCK_BYTES;
    return this.blocks[Math.floor(start / BLOCK_BYTES)]!.toString(this.ascii ? "latin1" : "utf8", at, at + len);
  }

  private keep(i: number, s: string): void {
    this.lens[i] = UNPACKED;
    this.unpacked.set(i, s);
  }

  private grow(): void {
    const starts = new Uint32Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    const lens = new Uint16Array(this.lens.length * 2);
    lens.set(this.lens);
    this.lens = lens;
  }
}

/**
 * An immutable list of strings packed into a few large byte blocks: about (UTF-8 bytes + 6) bytes per
 * entry, 32 for a sha256 hex digest, instead of about (bytes + 32) for a `string[]` entry — the
 * difference between ~150 MB and ~75 MB for the ids and content hashes of a million traces. Made by a
 * {@link PackedStringsBuilder} or {@link PackedStrings.from}; `select` makes a reordered view that shares
 * the bytes.
 */
export class PackedStrings implements StringList {
  /** Number of entries. */
  readonly length: number;

  /** @internal use {@link PackedStringsBuilder} or {@link PackedStrings.from}. */
  constructor(
    private readonly store: Store,
    private readonly order: Int32Array | undefined,
    length = order?.length ?? store.length,
  ) {
    this.length = length;
  }

  /**
   * Packs strings.
   *
   * @param strings - the entries.
   * @param encoding - `digest` stores 64-digit lowercase hex strings in 32 bytes (anything else falls back to text).
   */
  static from(strings: Iterable<string>, encoding: PackedEncoding = "text"): PackedStrings {
    const b = new PackedStringsBuilder(encoding);
    for (const s of strings) b.push(s);
    return b.finish();
  }

  /** The entry at `index` (negative counts from the end), or undefined when out of range. */
  at(index: number): string | undefined {
    let i = Math.trunc(index) || 0;
    if (i < 0) i += this.length;
    if (i < 0 || i >= this.length) return undefined;
    return this.store.get(this.order === undefined ? i : this.order[i]!);
  }

  /** How the entries are stored; every entry of a `digest` list is a 64-digit lowercase hex string. */
  get encoding(): PackedEncoding {
    return this.store.encoding;
  }

  /**
   * The first position of `value`, or -1 (as `Array.prototype.indexOf`).
   *
   * @param value - the string to find.
   */
  indexOf(value: string): number {
    const store = this.store;
    if (value === "" && store.encoding === "text") {
      // Only an empty entry has length 0: no decoding needed.
      for (let i = 0; i < this.length; i++) if (store.lens[this.order === undefined ? i : this.order[i]!] === 0) return i;
      return -1;
    }
    for (let i = 0; i < this.length; i++) if (this.at(i) === value) return i;
    return -1;
  }

  /**
   * The entries as JSON string literals joined by `separator` (`"a","b"` for `,`), in byte chunks of
   * about 64 KiB (fresh memory each) that never split an entry: the JSON text of a million-entry list
   * without building strings for its entries.
   *
   * @param separator - text between two entries (e.g. `,` or `,\n    `).
   */
  *jsonChunks(separator: string): Generator<Buffer> {
    const sep = Buffer.from(separator, "utf8");
    let out = Buffer.allocUnsafe(JSON_CHUNK_BYTES);
    let used = 0;
    for (let i = 0; i < this.length; i++) {
      const j = this.order === undefined ? i : this.order[i]!;
      const need = this.store.jsonBound(j) + sep.length;
      if (used + need > out.length) {
        if (used > 0) yield out.subarray(0, used);
        out = Buffer.allocUnsafe(Math.max(JSON_CHUNK_BYTES, need));
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
  private store: Store;

  /** @param encoding - see {@link PackedStrings.from}. */
  constructor(encoding: PackedEncoding = "text") {
    this.store = new Store(encoding);
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
    if (this.store.encoding === "digest" && !isHexDigest(s)) {
      // Not a digest after all (manifest validation will name it): keep everything as text from here on.
      const text = new Store("text");
      for (let i = 0; i < this.store.length; i++) text.push(this.store.get(i));
      this.store = text;
    }
    this.store.push(s);
    return this.store.length - 1;
  }

  /**
   * The entry at `index` (0 ≤ index < length).
   *
   * @param index - a position.
   */
  get(index: number): string {
    return this.store.get(index);
  }

  /** The list of everything appended; the builder may go on appending without changing it. */
  finish(): PackedStrings {
    return new PackedStrings(this.store, undefined, this.store.length);
  }
}

/** True for a 64-digit lowercase hex string (a loop: ~4× faster than the regex at a million calls). */
function isHexDigest(s: string): boolean {
  if (s.length !== 64) return false;
  for (let k = 0; k < 64; k++) {
    const c = s.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

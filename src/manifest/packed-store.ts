import { TunixError } from "../errors.js";

/**
 * How packed entries are stored: UTF-8 `text`; `digest` (64 lowercase hex digits, e.g. a sha256) in 32
 * bytes; `uuid` (lowercase canonical 8-4-4-4-12, as the stores' own ids) in 16 bytes.
 */
export type PackedEncoding = "text" | "digest" | "uuid";

const BLOCK_BYTES = 1 << 20;
/** Entries longer than this (in UTF-8 bytes) — and strings UTF-8 cannot hold (lone surrogates) — are kept as they are. */
const MAX_PACKED_BYTES = 0xfffe;
/** Text offsets are 32-bit. */
const MAX_BLOCKS = 2 ** 32 / BLOCK_BYTES;
const UNPACKED = 0xffff;
const JSON_ESCAPED = /["\\\u0000-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const QUOTE = 0x22;
const DASH = 0x2d;
const HEX_CODES = Buffer.from("0123456789abcdef", "latin1");

/** The storage of a packed list: append, read back, write an entry as a JSON string literal. */
export interface EntryStore {
  /** How entries are held. */
  readonly encoding: PackedEncoding;
  /** Entries held. */
  readonly length: number;
  /** Appends `s`; false (nothing appended) when this encoding cannot hold it. */
  push(s: string): boolean;
  /**
   * Appends the string whose bytes are `bytes[start, end)`, all printable ASCII (0x20..0x7f) without `"`
   * or `\\` — what a JSON reader finds between quotes in the common case, appended without making a JS
   * string; false (nothing appended) when this encoding cannot hold it.
   */
  pushAscii(bytes: Buffer, start: number, end: number): boolean;
  /** Entry i. */
  get(i: number): string;
  /** True when entry i is "" (without decoding it). */
  isEmpty(i: number): boolean;
  /** Most bytes {@link writeJson} writes for entry i. */
  jsonBound(i: number): number;
  /** Writes entry i as a JSON string literal into `out` at `at`; returns the end. */
  writeJson(i: number, out: Buffer, at: number): number;
}

/**
 * UTF-8 text in fixed 1 MiB blocks, filled in order and never moved (growing never copies the bytes
 * already held), with 32-bit starts and 16-bit lengths; the rare entries UTF-8 cannot hold or that are
 * very long stay JS strings.
 */
export class TextStore implements EntryStore {
  readonly encoding = "text";
  private readonly blocks: Buffer[] = [];
  private starts = new Uint32Array(1024);
  private lens = new Uint16Array(1024);
  private readonly unpacked = new Map<number, string>();
  length = 0;
  /** Every packed entry is ASCII (decoded as latin1, which is faster). */
  private ascii = true;
  /** No packed entry needs escaping in JSON, so its JSON is its bytes in quotes. */
  private jsonPlain = true;
  private used = 0;

  push(s: string): boolean {
    const i = this.length++;
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
    return true;
  }

  pushAscii(bytes: Buffer, start: number, end: number): boolean {
    const len = end - start;
    if (len > MAX_PACKED_BYTES) return this.push(bytes.toString("latin1", start, end));
    const i = this.length++;
    if (i === this.starts.length) this.grow();
    if (this.blocks.length === 0 || this.used + len > BLOCK_BYTES) {
      if (this.blocks.length === MAX_BLOCKS) throw new TunixError("INVALID_ARGUMENT", "PackedStrings: more than 4 GiB of text");
      this.blocks.push(Buffer.allocUnsafeSlow(BLOCK_BYTES));
      this.used = 0;
    }
    const block = this.blocks.length - 1;
    bytes.copy(this.blocks[block]!, this.used, start, end);
    this.starts[i] = block * BLOCK_BYTES + this.used;
    this.lens[i] = len;
    this.used += len;
    return true;
  }

  get(i: number): string {
    const len = this.lens[i]!;
    if (len === UNPACKED) return this.unpacked.get(i)!;
    const start = this.starts[i]!;
    const at = start % BLOCK_BYTES;
    return this.blocks[Math.floor(start / BLOCK_BYTES)]!.toString(this.ascii ? "latin1" : "utf8", at, at + len);
  }

  isEmpty(i: number): boolean {
    return this.lens[i] === 0;
  }

  jsonBound(i: number): number {
    const len = this.lens[i]!;
    // A JSON literal takes at most 6 bytes per UTF-16 unit (`\u001f`); a packed entry has no more units than bytes.
    return (len === UNPACKED ? this.unpacked.get(i)!.length : len) * 6 + 2;
  }

  writeJson(i: number, out: Buffer, at: number): number {
    const len = this.lens[i]!;
    if (len === UNPACKED || !this.jsonPlain) return at + out.write(JSON.stringify(this.get(i)), at, "utf8");
    const start = this.starts[i]!;
    const from = start % BLOCK_BYTES;
    out[at++] = QUOTE;
    at += this.blocks[Math.floor(start / BLOCK_BYTES)]!.copy(out, at, from, from + len);
    out[at++] = QUOTE;
    return at;
  }

  private keep(i: number, s: string): true {
    this.lens[i] = UNPACKED;
    this.unpacked.set(i, s);
    return true;
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

function isLowerHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** True when `s` has exactly the `digest` or `uuid` shape. */
function fits(s: string, uuid: boolean): boolean {
  if (s.length !== (uuid ? 36 : 64)) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (uuid && (k === 8 || k === 13 || k === 18 || k === 23)) {
      if (c !== DASH) return false;
    } else if (!isLowerHex(c)) return false;
  }
  return true;
}

/** Value of a lowercase hex digit's byte, -1 for any other byte. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) HEX_VALUE["0123456789abcdef".charCodeAt(d)] = d;

/** Hex-shaped entries (`digest` or `uuid`) as their bytes, in fixed slots: no offsets at all. */
export class HexStore implements EntryStore {
  private readonly blocks: Buffer[] = [];
  private readonly bytes: number;
  private readonly perBlock: number;
  private readonly scratch = Buffer.alloc(38);
  length = 0;

  constructor(readonly encoding: "digest" | "uuid") {
    this.bytes = encoding === "uuid" ? 16 : 32;
    this.perBlock = BLOCK_BYTES / this.bytes;
  }

  push(s: string): boolean {
    const uuid = this.encoding === "uuid";
    if (!fits(s, uuid)) return false;
    const slot = this.length % this.perBlock;
    if (Math.floor(this.length / this.perBlock) >= this.blocks.length) this.blocks.push(Buffer.allocUnsafeSlow(BLOCK_BYTES));
    const block = this.blocks[this.blocks.length - 1]!;
    block.write(uuid ? s.replaceAll("-", "") : s, slot * this.bytes, this.bytes, "hex");
    this.length++;
    return true;
  }

  pushAscii(bytes: Buffer, start: number, end: number): boolean {
    const uuid = this.encoding === "uuid";
    if (end - start !== (uuid ? 36 : 64)) return false;
    // Checked and decoded in one pass, straight into the entry's place (a failed entry leaves it free).
    if (Math.floor(this.length / this.perBlock) >= this.blocks.length) this.blocks.push(Buffer.allocUnsafeSlow(BLOCK_BYTES));
    const block = this.blocks[this.blocks.length - 1]!;
    let at = (this.length % this.perBlock) * this.bytes;
    if (uuid && (bytes[start + 8] !== DASH || bytes[start + 13] !== DASH || bytes[start + 18] !== DASH || bytes[start + 23] !== DASH)) return false;
    for (let k = start; k < end; k += 2) {
      if (uuid && (k - start === 8 || k - start === 13 || k - start === 18 || k - start === 23)) k++;
      const hi = HEX_VALUE[bytes[k]!]!;
      const lo = HEX_VALUE[bytes[k + 1]!]!;
      if ((hi | lo) < 0) return false;
      block[at++] = (hi << 4) | lo;
    }
    this.length++;
    return true;
  }

  get(i: number): string {
    const at = (i % this.perBlock) * this.bytes;
    const block = this.blocks[Math.floor(i / this.perBlock)]!;
    if (this.encoding === "digest") return block.toString("hex", at, at + this.bytes);
    // One string, written through a scratch buffer (hex, then five slices joined, made seven).
    const end = this.writeJson(i, this.scratch, 0);
    return this.scratch.toString("latin1", 1, end - 1);
  }

  isEmpty(): boolean {
    return false;
  }

  jsonBound(): number {
    return this.encoding === "uuid" ? 38 : 66;
  }

  writeJson(i: number, out: Buffer, at: number): number {
    const block = this.blocks[Math.floor(i / this.perBlock)]!;
    const from = (i % this.perBlock) * this.bytes;
    const uuid = this.encoding === "uuid";
    out[at++] = QUOTE;
    for (let k = 0; k < this.bytes; k++) {
      if (uuid && (k === 4 || k === 6 || k === 8 || k === 10)) out[at++] = DASH;
      const b = block[from + k]!;
      out[at++] = HEX_CODES[b >> 4]!;
      out[at++] = HEX_CODES[b & 15]!;
    }
    out[at++] = QUOTE;
    return at;
  }
}

/**
 * A store for `encoding`.
 *
 * @param encoding - the wanted encoding.
 */
export function createEntryStore(encoding: PackedEncoding): EntryStore {
  return encoding === "text" ? new TextStore() : new HexStore(encoding);
}

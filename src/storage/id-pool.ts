/**
 * Trace ids packed into 1 MiB byte chunks, addressed by a 32-bit pool offset plus a length code: ids
 * are printable ASCII, so one byte a character, except lowercase canonical UUIDs (the default ids),
 * which are kept as their 16 bytes instead of 36 characters. Order and equality on the stored forms
 * are those of the id strings.
 */
import { TunixError } from "../errors.js";
import { hashBytes } from "./slot-table.js";

/** Length code of a packed UUID (real lengths are 1..256). */
export const PACKED_UUID = 0xffff;
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const HEX = "0123456789abcdef";

/** Value of a lowercase hex digit by char code, -1 for anything else (codes ≥ 128 are not looked up). */
const NIBBLE = Int8Array.from({ length: 128 }, (_, c) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1));

/** An id in its stored form, in a scratch buffer (valid until the next {@link IdPool.key} call). */
export interface IdKey {
  /** The stored bytes. */
  bytes: Buffer;
  /** How many of them. */
  len: number;
  /** Length code: the id's length, or {@link PACKED_UUID}. */
  code: number;
  /** {@link hashBytes} of the stored bytes. */
  hash: number;
}

/** See the module comment. */
export class IdPool {
  private chunks: Buffer[] = [];
  private used = CHUNK; // forces a first chunk
  private readonly scratch = Buffer.alloc(256);
  private readonly keyBuf = Buffer.alloc(256);
  private readonly key_: IdKey = { bytes: this.keyBuf, len: 0, code: 0, hash: 0 };

  /** The stored form of `id` (a shared object: use it before the next call). */
  key(id: string): IdKey {
    const k = this.key_;
    if (id.length === 36 && this.packUuid(id)) {
      k.len = 16;
      k.code = PACKED_UUID;
    } else {
      k.len = this.keyBuf.write(id, 0, "latin1");
      k.code = id.length;
    }
    k.hash = hashBytes(this.keyBuf, 0, k.len);
    return k;
  }

  /** Stores a key's bytes; returns their pool offset. */
  store(key: IdKey): number {
    return this.storeBytes(key.bytes, 0, key.len);
  }

  /** Stores an id taken from another pool (compaction); returns its offset here. */
  copyFrom(other: IdPool, at: number, code: number): number {
    return this.storeBytes(other.chunks[at >>> CHUNK_BITS]!, at & (CHUNK - 1), code === PACKED_UUID ? 16 : code);
  }

  /** {@link hashBytes} of a stored id (equals `key(id).hash`). */
  hash(at: number, code: number): number {
    return hashBytes(this.chunks[at >>> CHUNK_BITS]!, at & (CHUNK - 1), code === PACKED_UUID ? 16 : code);
  }

  /** True when the stored id is the key's id. */
  equals(at: number, code: number, key: IdKey): boolean {
    if (code !== key.code) return false;
    const c = this.chunks[at >>> CHUNK_BITS]!;
    const o = at & (CHUNK - 1);
    for (let i = 0; i < key.len; i++) if (c[o + i] !== key.bytes[i]) return false;
    return true;
  }

  /** The id string. */
  toString(at: number, code: number): string {
    const c = this.chunks[at >>> CHUNK_BITS]!;
    const o = at & (CHUNK - 1);
    if (code !== PACKED_UUID) return c.toString("latin1", o, o + code);
    this.unpack(c, o, this.scratch);
    return this.scratch.toString("latin1", 0, 36);
  }

  /** Compares two stored ids as their strings compare. */
  compare(a: number, codeA: number, b: number, codeB: number): number {
    let ca = this.chunks[a >>> CHUNK_BITS]!;
    let oa = a & (CHUNK - 1);
    let la = codeA;
    let cb = this.chunks[b >>> CHUNK_BITS]!;
    let ob = b & (CHUNK - 1);
    let lb = codeB;
    if (codeA === PACKED_UUID && codeB === PACKED_UUID) la = lb = 16; // nibble order = hex-digit order
    else if (codeA === PACKED_UUID) [ca, oa, la] = [this.unpack(ca, oa, this.scratch), 0, 36];
    else if (codeB === PACKED_UUID) [cb, ob, lb] = [this.unpack(cb, ob, this.scratch), 0, 36];
    const n = Math.min(la, lb);
    for (let i = 0; i < n; i++) {
      const d = ca[oa + i]! - cb[ob + i]!;
      if (d !== 0) return d;
    }
    return la - lb;
  }

  /** Writes the 16 bytes of a lowercase canonical UUID into the key buffer; false when `id` is not one. */
  private packUuid(id: string): boolean {
    if (id.charCodeAt(8) !== 0x2d || id.charCodeAt(13) !== 0x2d || id.charCodeAt(18) !== 0x2d || id.charCodeAt(23) !== 0x2d) return false;
    const buf = this.keyBuf;
    let i = 0;
    for (let j = 0; j < 16; j++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++;
      const a = id.charCodeAt(i);
      const b = id.charCodeAt(i + 1);
      const hi = a < 128 ? NIBBLE[a]! : -1;
      const lo = b < 128 ? NIBBLE[b]! : -1;
      if ((hi | lo) < 0) return false;
      buf[j] = (hi << 4) | lo;
      i += 2;
    }
    return true;
  }

  private unpack(c: Buffer, o: number, out: Buffer): Buffer {
    let j = 0;
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out[j++] = 0x2d; // dashes at 8, 13, 18, 23
      out[j++] = HEX.charCodeAt(c[o + i]! >>> 4);
      out[j++] = HEX.charCodeAt(c[o + i]! & 15);
    }
    return out;
  }

  private storeBytes(src: Buffer, from: number, n: number): number {
    if (this.used + n > CHUNK) {
      if (this.chunks.length >= 2 ** (32 - CHUNK_BITS)) throw new TunixError("BACKEND_ERROR", "file store index: more than 4 GiB of ids");
      this.chunks.push(Buffer.alloc(CHUNK));
      this.used = 0;
    }
    const dst = this.chunks[this.chunks.length - 1]!;
    for (let i = 0; i < n; i++) dst[this.used + i] = src[from + i]!; // ids are short: cheaper than Buffer#copy
    const at = (this.chunks.length - 1) * CHUNK + this.used;
    this.used += n;
    return at;
  }
}

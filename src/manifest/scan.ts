import { PackedStringsBuilder, type PackedEncoding } from "./packed-strings.js";

/**
 * Where {@link scanManifestJson} reads bytes from: the next chunk each call, undefined at the end. A
 * chunk's memory may be reused for the next one: the scanner copies what it keeps across chunks.
 */
export type ChunkSource = () => Uint8Array | undefined;

/** Decodes `bytes[start, end)` as the reference reader decodes the whole text. */
export type Decode = (bytes: Buffer, start: number, end: number) => string;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CONTROL = /[\u0000-\u001f]/;

/**
 * A cursor over a stream of byte chunks. A piece of a value is copied before the next chunk is loaded
 * (only values that span chunks, or the small members rawValue collects), so a {@link ChunkSource} may
 * hand out the same memory every time.
 */
class Cursor {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** Position of the first backslash in `buf` at or after the last search (-1: none), so each chunk is searched once. */
  private backslash = -1;

  constructor(private readonly next: ChunkSource) {}

  /** True when a byte is available at `pos` (loading the next chunk if needed). */
  more(): boolean {
    while (this.pos >= this.buf.length) {
      const chunk = this.next();
      if (chunk === undefined) return false;
      this.buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.pos = 0;
      this.backslash = this.buf.indexOf(BACKSLASH);
    }
    return true;
  }

  /** The byte at `pos` after skipping JSON whitespace, or -1 at the end. */
  peek(): number {
    for (;;) {
      if (!this.more()) return -1;
      const c = this.buf[this.pos]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
      this.pos++;
    }
  }

  private backslashFrom(i: number): number {
    if (this.backslash >= 0 && this.backslash < i) this.backslash = this.buf.indexOf(BACKSLASH, i);
    return this.backslash;
  }

  /**
   * The raw bytes of the string literal starting at `pos` (an opening quote), quotes included, and
   * whether it holds an escape. Undefined when the input ends inside it.
   */
  stringLiteral(): { bytes: Buffer; escaped: boolean } | undefined {
    const parts: Buffer[] = [];
    let escaped = false;
    let skip = false; // the byte at i is escaped
    let start = this.pos;
    let i = this.pos + 1;
    for (;;) {
      const buf = this.buf;
      while (i < buf.length) {
        if (skip) {
          skip = false;
          i++;
          continue;
        }
        const q = buf.indexOf(QUOTE, i);
        const end = q < 0 ? buf.length : q;
        const b = this.backslashFrom(i);
        if (b >= 0 && b < end) {
          escaped = true;
          skip = true;
          i = b + 1;
          continue;
        }
        if (q < 0) break;
        this.pos = q + 1;
        parts.push(buf.subarray(start, this.pos));
        return { bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts), escaped };
      }
      parts.push(Buffer.from(buf.subarray(start))); // a copy: the next chunk may reuse this memory
      this.pos = buf.length;
      if (!this.more()) return undefined;
      start = 0;
      i = 0;
    }
  }

  /**
   * The string literal starting at `pos` (an opening quote), decoded; undefined when it is not valid JSON
   * or the input ends inside it. The common case — no escape, within one chunk — decodes in place.
   */
  stringValue(decode: Decode): string | undefined {
    const q = this.buf.indexOf(QUOTE, this.pos + 1);
    const b = this.backslashFrom(this.pos + 1);
    if (q >= 0 && (b < 0 || b > q)) {
      const s = decode(this.buf, this.pos + 1, q);
      this.pos = q + 1;
      return CONTROL.test(s) ? undefined : s;
    }
    const lit = this.stringLiteral();
    if (lit === undefined) return undefined;
    const text = decode(lit.bytes, 0, lit.bytes.length);
    const v = lit.escaped ? parseJson(text) : text.slice(1, -1);
    return typeof v === "string" && (lit.escaped || !CONTROL.test(v)) ? v : undefined;
  }

  /**
   * Appends the string literal starting at `pos` to `builder` straight from its bytes when it lies in
   * this chunk without escapes and is printable ASCII (ids and hashes always are); false, and nothing
   * consumed, otherwise.
   */
  packedString(builder: PackedStringsBuilder): boolean {
    const start = this.pos + 1;
    const q = this.buf.indexOf(QUOTE, start);
    if (q < 0) return false;
    const b = this.backslashFrom(start);
    if ((b >= 0 && b < q) || !builder.pushAscii(this.buf, start, q)) return false;
    this.pos = q + 1;
    return true;
  }

  /**
   * The raw bytes of the JSON value starting at `pos`, up to (not including) the `,` or `}` that ends it
   * at depth 0. Syntax is left to JSON.parse. Undefined when the input ends first. Pieces are copied as
   * they are collected (a string inside may load the next chunk over this one's memory).
   */
  rawValue(): Buffer | undefined {
    const parts: Buffer[] = [];
    let depth = 0;
    let start = this.pos;
    for (;;) {
      const buf = this.buf;
      while (this.pos < buf.length) {
        const c = buf[this.pos]!;
        if (c === QUOTE) {
          parts.push(Buffer.from(buf.subarray(start, this.pos)));
          const s = this.stringLiteral();
          if (s === undefined) return undefined;
          parts.push(Buffer.from(s.bytes));
          start = this.pos;
          if (this.buf !== buf) break; // the string ran into the next chunk
          continue;
        }
        if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d || (c === 0x2c && depth === 0)) {
          if (depth === 0) {
            parts.push(buf.subarray(start, this.pos));
            return Buffer.concat(parts);
          }
          if (c !== 0x2c) depth--;
        }
        this.pos++;
      }
      if (this.buf === buf) {
        parts.push(Buffer.from(buf.subarray(start)));
        if (!this.more()) return undefined;
        start = 0;
      }
    }
  }
}

/**
 * Reads the JSON text of a dataset manifest piece by piece, decoding the top-level string arrays named in
 * `lists` straight into {@link PackedStringsBuilder}s and every other top-level member through
 * `JSON.parse` of its own text — so neither the whole text (~116 MB for a million traces) nor a
 * `string[]` of a million entries is ever held. Returns the top-level object with those lists in place,
 * or undefined when the text is not a JSON object whose listed members are arrays of strings (or is not
 * valid JSON at all): the caller then parses it the reference way, which names the problem.
 *
 * Semantics match `JSON.parse(decode(whole text))` for valid input (a leading BOM skipped, a repeated key
 * keeping its last value), since the text is only ever cut at ASCII delimiters.
 *
 * @param next - the byte chunks, in order.
 * @param decode - bytes → text, as the reference reader decodes the whole text.
 * @param lists - top-level fields to pack, with their encoding.
 */
export function scanManifestJson(
  next: ChunkSource,
  decode: Decode,
  lists: Readonly<Record<string, PackedEncoding>>,
): Record<string, unknown> | undefined {
  const cur = new Cursor(next);
  if (!skipBom(cur) || cur.peek() !== 0x7b) return undefined;
  cur.pos++;
  const members: string[] = [];
  const packed = new Map<string, PackedStringsBuilder>();
  let c = cur.peek();
  if (c === 0x7d) cur.pos++;
  else {
    for (;;) {
      if (c !== QUOTE) return undefined;
      const key = cur.stringValue(decode);
      if (key === undefined || cur.peek() !== 0x3a) return undefined;
      const keyText = JSON.stringify(key);
      cur.pos++;
      cur.peek();
      const encoding = Object.hasOwn(lists, key) ? lists[key] : undefined;
      if (encoding !== undefined) {
        const list = stringArray(cur, decode, encoding);
        if (list === undefined) return undefined;
        packed.set(key, list);
        members.push(`${keyText}:[]`);
      } else {
        const raw = cur.rawValue();
        if (raw === undefined) return undefined;
        members.push(`${keyText}:${decode(raw, 0, raw.length)}`);
      }
      c = cur.peek();
      cur.pos++;
      if (c === 0x7d) break;
      if (c !== 0x2c) return undefined;
      c = cur.peek();
    }
  }
  if (cur.peek() !== -1) return undefined;
  const value = parseJson(`{${members.join(",")}}`);
  if (typeof value !== "object" || value === null) return undefined;
  const out = value as Record<string, unknown>;
  for (const [key, builder] of packed) out[key] = builder.finish();
  return out;
}

/** `[ "…", … ]` decoded into a builder, or undefined when it is anything else. */
function stringArray(cur: Cursor, decode: Decode, encoding: PackedEncoding): PackedStringsBuilder | undefined {
  if (cur.peek() !== 0x5b) return undefined;
  cur.pos++;
  const builder = new PackedStringsBuilder(encoding);
  let c = cur.peek();
  if (c === 0x5d) {
    cur.pos++;
    return builder;
  }
  for (;;) {
    if (c !== QUOTE) return undefined;
    if (!cur.packedString(builder)) {
      const s = cur.stringValue(decode);
      if (s === undefined) return undefined;
      builder.push(s);
    }
    c = cur.peek();
    cur.pos++;
    if (c === 0x5d) return builder;
    if (c !== 0x2c) return undefined;
    c = cur.peek();
  }
}

const BOM = [0xef, 0xbb, 0xbf];

/** Skips a leading UTF-8 BOM (which may span chunks); false when the text starts with part of one. */
function skipBom(cur: Cursor): boolean {
  for (let k = 0; k < BOM.length; k++) {
    if (!cur.more() || cur.buf[cur.pos] !== BOM[k]) return k === 0;
    cur.pos++;
  }
  return true;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Segment sidecars: `segments/NNNNNNNN.idx` next to each `NNNNNNNN.jsonl`, the segment's index entries in
 * binary — position, creation time, sha256, id, trace_version and meta JSON per record, plus deletes — so
 * opening a store reads ~a third of the bytes and parses no JSON, and filters on meta or content_hash read
 * small entries instead of whole traces.
 *
 * A sidecar is derived data: it is written after its segment batch is durable, never fsynced, and
 * trusted only as far as it checks out. Layout: the 8-byte {@link SIDECAR_MAGIC}, then batches of a
 * 24-byte header (magic, body length, the segment range [start, end) the batch covers, the line count of
 * the last commit it covers, a checksum of header and body) and a body of entries. On open, a torn or
 * garbled tail is cut at the last good batch, the last batch is checked against the segment's bytes
 * (its commit line and last record's id must be where it says), and the segment is replayed from where
 * the sidecar ends. Anything that does not check out is dropped and rebuilt from the segment.
 */
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import type { FileEntry } from "./file-index.js";
import { commitLine, deleteLine, type SegmentOp } from "./file-segments.js";

/** First bytes of every sidecar file (the version is the last digit). */
export const SIDECAR_MAGIC = Buffer.from("TXIDX01\n", "latin1");
const BATCH_MAGIC = 0x31425854; // "TXB1"
const HEADER = 24;
const PUT = 1;
const DELETE = 2;
// Put entry: kind u8, off u32, len u32, created f64, sha256 32 B, id (u16 length + latin1), trace_version
// (u16 length + UTF-8), meta (u32 length + UTF-8 JSON; 0 = null).
const PUT_HASH = 17;
const PUT_FIXED = 49;

/** File name of segment `n`'s sidecar. */
export const sidecarName = (n: number): string => `${String(n).padStart(8, "0")}.idx`;

/** The sidecar did not match its segment: delete it and open again (the segment is the truth). */
export class StaleSidecarError extends Error {
  /** @param path - the sidecar to drop. */
  constructor(readonly path: string) {
    super(`${path} does not match its segment`);
  }
}

function checksum(header: Buffer, body: Buffer): number {
  return createHash("sha256").update(header.subarray(0, HEADER - 4)).update(body).digest().readUInt32LE(0);
}

/**
 * Encodes committed operations as one sidecar batch that will start at byte `at` of the sidecar, filling
 * in each put's `idxOff`/`idxLen`.
 *
 * @param ops - the operations, in segment order.
 * @param at - the sidecar's current length.
 * @param segStart - segment offset of the first line covered.
 * @param segEnd - segment offset just after the last commit line covered.
 * @param lastCommit - the number of lines of that last commit.
 */
export function encodeBatch(ops: readonly SegmentOp[], at: number, segStart: number, segEnd: number, lastCommit: number): Buffer {
  // An upper bound (3 UTF-8 bytes per UTF-16 unit) instead of Buffer.byteLength of every string: the
  // unused tail is never touched, so it costs address space, not memory.
  let bound = HEADER;
  for (const op of ops) bound += "put" in op ? PUT_FIXED + 2 + op.put.id.length + 2 + 3 * op.put.traceVersion.length + 4 + (op.metaJson === null ? 0 : 3 * op.metaJson.length) : 11 + op.del.length;
  const buf = Buffer.allocUnsafe(bound);
  let p = HEADER;
  for (const op of ops) {
    const start = p;
    if ("put" in op) {
      const e = op.put;
      p = buf.writeUInt8(PUT, p);
      p = buf.writeUInt32LE(e.off, p);
      p = buf.writeUInt32LE(e.len, p);
      p = buf.writeDoubleLE(e.createdMs, p);
      for (let i = 0; i < 32; i++) buf[p + i] = e.hash[i]!;
      p += 32;
      p = buf.writeUInt16LE(e.id.length, p);
      p += buf.write(e.id, p, "latin1");
      const vLen = buf.write(e.traceVersion, p + 2, "utf8");
      p = buf.writeUInt16LE(vLen, p) + vLen;
      const metaLen = op.metaJson === null ? 0 : buf.write(op.metaJson, p + 4, "utf8");
      p = buf.writeUInt32LE(metaLen, p) + metaLen;
      e.idxOff = at + start;
      e.idxLen = p - start;
    } else {
      p = buf.writeUInt8(DELETE, p);
      p = buf.writeUInt32LE(op.off, p);
      p = buf.writeUInt32LE(op.len, p);
      p = buf.writeUInt16LE(op.del.length, p);
      p += buf.write(op.del, p, "latin1");
    }
  }
  const out = buf.subarray(0, p);
  out.writeUInt32LE(BATCH_MAGIC, 0);
  out.writeUInt32LE(p - HEADER, 4);
  out.writeUInt32LE(segStart, 8);
  out.writeUInt32LE(segEnd, 12);
  out.writeUInt32LE(lastCommit, 16);
  out.writeUInt32LE(checksum(out, out.subarray(HEADER)), 20);
  return out;
}

/** The content hash (32 bytes) and meta JSON (null for none) of one put entry: views into `entry`. */
export function decodeEntryFields(entry: Buffer): { hash: Buffer; metaJson: Buffer | null } {
  if (entry[0] !== PUT) throw new RangeError("not a put entry");
  let p = PUT_FIXED;
  p += 2 + entry.readUInt16LE(p);
  p += 2 + entry.readUInt16LE(p);
  const metaLen = entry.readUInt32LE(p);
  if (p + 4 + metaLen !== entry.length) throw new RangeError("entry length does not match its fields");
  return { hash: entry.subarray(PUT_HASH, PUT_HASH + 32), metaJson: metaLen === 0 ? null : entry.subarray(p + 4, p + 4 + metaLen) };
}

/** What {@link matchesSegment} checks: the position of a batch's last operation. */
interface LastOp {
  id: string;
  put: boolean;
  off: number;
  len: number;
}

function sameBytes(buf: Buffer, at: number, len: number, want: Buffer): boolean {
  if (len !== want.length) return false;
  for (let i = 0; i < len; i++) if (buf[at + i] !== want[i]) return false;
  return true;
}

/**
 * Decodes a batch body (whose checksum matched), passing each operation to `visit` in reused objects
 * (copy what you keep): opening a million-trace store allocates no object per entry but its id string.
 */
function decodeBody(body: Buffer, bodyAt: number, seg: number, visit: (op: SegmentOp) => void): LastOp | undefined {
  const put: FileEntry = { id: "", createdMs: 0, hash: Buffer.alloc(32), traceVersion: "", seg, off: 0, len: 0, idxOff: 0, idxLen: 0 };
  const putOp = { put, metaJson: null };
  const delOp = { del: "", off: 0, len: 0 };
  let versionBytes = Buffer.alloc(0);
  let last: LastOp | undefined;
  for (let p = 0; p < body.length; ) {
    const start = p;
    const kind = body[p]!;
    const off = body.readUInt32LE(p + 1);
    const len = body.readUInt32LE(p + 5);
    if (kind === DELETE) {
      const idLen = body.readUInt16LE(p + 9);
      Object.assign(delOp, { del: body.toString("latin1", p + 11, p + 11 + idLen), off, len });
      p += 11 + idLen;
      if (p > body.length) throw new RangeError("entry runs past its batch");
      visit(delOp);
      last = { id: delOp.del, put: false, off, len };
      continue;
    }
    if (kind !== PUT) throw new RangeError(`unknown entry kind ${kind}`);
    put.createdMs = body.readDoubleLE(p + 9);
    for (let i = 0; i < 32; i++) put.hash[i] = body[p + PUT_HASH + i]!; // Buffer#copy costs more for 32 bytes
    p += PUT_FIXED;
    const idLen = body.readUInt16LE(p);
    put.id = body.toString("latin1", p + 2, p + 2 + idLen);
    p += 2 + idLen;
    const vLen = body.readUInt16LE(p);
    if (!sameBytes(body, p + 2, vLen, versionBytes)) {
      versionBytes = Buffer.from(body.subarray(p + 2, p + 2 + vLen));
      put.traceVersion = versionBytes.toString("utf8");
    }
    p += 2 + vLen;
    p += 4 + body.readUInt32LE(p);
    if (p > body.length) throw new RangeError("entry runs past its batch");
    Object.assign(put, { off, len, idxOff: bodyAt + start, idxLen: p - start });
    visit(putOp);
    last = { id: put.id, put: true, off, len };
  }
  return last;
}

/**
 * A read buffer lent from file to file: opening a store reads its sidecars one after another through
 * it (a fresh 4 MiB buffer per sidecar left tens of MB of external garbage in RSS at a million traces).
 */
export interface ReadBuffer {
  /** The buffer (grown as needed). */
  buf: Buffer;
}

/** A fresh {@link ReadBuffer}. */
export const readBuffer = (): ReadBuffer => ({ buf: Buffer.alloc(0) });

/** Reads a file front to back in large chunks, into one reused buffer. */
class ChunkReader {
  private at = 0;
  private valid = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly scratch: ReadBuffer,
  ) {}

  /** `n` bytes at file offset `pos` (fewer at the end of the file), valid until the next call. */
  async read(pos: number, n: number): Promise<Buffer> {
    let { buf } = this.scratch;
    if (pos < this.at || pos + n > this.at + this.valid) {
      if (buf.length < n || buf.length === 0) this.scratch.buf = buf = Buffer.allocUnsafe(Math.max(n, 4 * 2 ** 20));
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, pos);
      this.at = pos;
      this.valid = bytesRead;
    }
    return buf.subarray(pos - this.at, Math.min(this.valid, pos - this.at + n));
  }
}

/** What {@link loadSidecar} found. */
export interface SidecarState {
  /** Segment bytes the sidecar covers (replay the segment from here). */
  covered: number;
  /** Sidecar bytes that checked out (the file is cut to this length). */
  size: number;
}

/**
 * Applies a segment's sidecar batches to the index through `apply`, cutting a bad tail off the file.
 *
 * @param idxPath - the sidecar.
 * @param segHandle - the segment, open for reading (to check the last batch against).
 * @param seg - the segment number.
 * @param apply - receives each operation, in order, in a reused object (see decodeBody).
 * @param scratch - the read buffer to use (share one between the sidecars of a store).
 * @throws {@link StaleSidecarError} when the last good batch does not match the segment.
 */
export async function loadSidecar(idxPath: string, segHandle: FileHandle, seg: number, apply: (op: SegmentOp) => void, scratch: ReadBuffer = readBuffer()): Promise<SidecarState> {
  let fh: FileHandle;
  try {
    fh = await open(idxPath, "r+");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { covered: 0, size: 0 };
    throw e;
  }
  try {
    const reader = new ChunkReader(fh, scratch);
    if (!(await reader.read(0, SIDECAR_MAGIC.length)).equals(SIDECAR_MAGIC)) {
      await fh.truncate(0);
      return { covered: 0, size: 0 };
    }
    let pos = SIDECAR_MAGIC.length;
    let covered = 0;
    let last: { segEnd: number; lastCommit: number; op: LastOp } | undefined;
    for (;;) {
      const header = Buffer.from(await reader.read(pos, HEADER));
      if (header.length < HEADER || header.readUInt32LE(0) !== BATCH_MAGIC || header.readUInt32LE(8) !== covered) break;
      const bodyLen = header.readUInt32LE(4);
      const body = await reader.read(pos + HEADER, bodyLen);
      if (body.length < bodyLen || checksum(header, body) !== header.readUInt32LE(20)) break;
      let op: LastOp | undefined;
      try {
        op = decodeBody(body, pos + HEADER, seg, apply);
      } catch {
        // A batch with a good checksum that does not decode was not written by this code: start over without it.
        throw new StaleSidecarError(idxPath);
      }
      if (op === undefined) break;
      covered = header.readUInt32LE(12);
      last = { segEnd: covered, lastCommit: header.readUInt32LE(16), op };
      pos += HEADER + bodyLen;
    }
    if (last && !(await matchesSegment(segHandle, last))) throw new StaleSidecarError(idxPath);
    const { size } = await fh.stat();
    if (size > pos) await fh.truncate(pos);
    return { covered, size: pos };
  } finally {
    await fh.close();
  }
}

/** True when the segment holds the batch's last operation and commit line where the sidecar says. */
async function matchesSegment(segHandle: FileHandle, last: { segEnd: number; lastCommit: number; op: LastOp }): Promise<boolean> {
  const { op, segEnd } = last;
  const { off, len } = op;
  const commit = commitLine(last.lastCommit);
  if (off + len + commit.length !== segEnd) return false;
  const buf = Buffer.alloc(segEnd - off);
  const { bytesRead } = await segHandle.read(buf, 0, buf.length, off);
  if (bytesRead !== buf.length || buf.toString("latin1", len) !== commit) return false;
  const want = op.put ? `{"id":${JSON.stringify(op.id)},` : deleteLine(op.id);
  return buf.toString("latin1", 0, want.length) === want;
}

/**
 * Appends batches to a sidecar. The first failed write switches it off for good (the file then ends at
 * its last complete batch or in a torn one, which the next open cuts off), so it never holds gaps.
 */
export class SidecarWriter {
  private fh: FileHandle | undefined;
  private broken = false;

  private constructor(private readonly path: string, private length: number) {}

  /**
   * Opens a sidecar for appending after its first `size` bytes (0 = new or discarded: start a file).
   *
   * @param path - the sidecar.
   * @param size - its length as checked by {@link loadSidecar}.
   */
  static async open(path: string, size: number): Promise<SidecarWriter> {
    const w = new SidecarWriter(path, size);
    try {
      w.fh = await open(path, size === 0 ? "w" : "a");
      if (size === 0) await w.write(SIDECAR_MAGIC);
    } catch {
      w.broken = true;
    }
    return w;
  }

  /** Current length in bytes, where the next batch will start; undefined once switched off. */
  get size(): number | undefined {
    return this.broken ? undefined : this.length;
  }

  /** Appends one encoded batch; false when the sidecar is (now) switched off. */
  async append(batch: Buffer): Promise<boolean> {
    if (this.broken) return false;
    try {
      await this.write(batch);
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
  }

  private async write(buf: Buffer): Promise<void> {
    let done = 0;
    while (done < buf.length) done += (await this.fh!.write(buf, done, buf.length - done)).bytesWritten;
    this.length += buf.length;
  }
}

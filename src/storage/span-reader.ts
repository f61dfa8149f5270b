/**
 * Batched positional reads: many small byte ranges of a few files fetched with as few `read` calls as
 * possible, by reading neighbouring ranges (and the small gaps between them) together, into buffers
 * that are reused from call to call (so a stream does not leave megabytes of read buffers for the
 * garbage collector after every page).
 *
 * The bytes of a recent read are kept as a window: a later call's spans that lie inside it are served
 * from memory. Callers that walk a region in several small batches (an export in manifest order, a
 * stream in id order within one creation time) read it about once instead of once per batch. A call
 * that found spans in the window keeps it unless it read at least as many bytes elsewhere (its other
 * spans are then the window's edges); a call that found none moves the window to its last read. The
 * files must not change under a window: the file store only ever appends to its segments and sidecars,
 * and spans only name committed bytes.
 */
import type { FileHandle } from "node:fs/promises";

/** A byte range of file number `file`. */
export interface ByteSpan {
  /** File number (e.g. a segment). */
  file: number;
  /** Byte offset. */
  off: number;
  /** Byte length. */
  len: number;
}

/** Largest single read (a longer span is read alone, in one buffer of its size). */
const MAX_READ = 4 * 2 ** 20;
/** Largest gap read through to join two ranges into one read. */
const MAX_GAP = 64 * 2 ** 10;
/** Idle buffers kept for reuse (besides the window's). */
const SPARE_BUFFERS = 2;

/** The bytes of one earlier read: `buf[0, len)` holds file `file` from byte `off`. */
interface Window {
  buf: Buffer;
  file: number;
  off: number;
  len: number;
}

/** Reads spans of numbered files; see the module comment. */
export class SpanReader {
  private spare: Buffer[] = [];
  private window: Window | undefined;
  private reads = 0;
  private bytes = 0;

  /** @param handle - opens (or returns a cached handle of) file number `file`. */
  constructor(private readonly handle: (file: number) => Promise<FileHandle>) {}

  /** Number of `read` calls made on file handles so far (for tests and figures). */
  get readCalls(): number {
    return this.reads;
  }

  /** Bytes read from files so far (for tests and figures). */
  get bytesRead(): number {
    return this.bytes;
  }

  /**
   * Reads every span and passes its bytes to `consume`, returning the results index for index. The bytes
   * are only valid during the call (the buffer is reused); a span cut short by the end of its file
   * comes out shorter.
   *
   * @param spans - the ranges, in any order.
   * @param consume - turns the bytes of span `k` into a value.
   */
  async read<T>(spans: readonly ByteSpan[], consume: (bytes: Buffer, k: number) => T): Promise<T[]> {
    const out = new Array<T>(spans.length);
    // Spans inside the window are served first, synchronously (no other call can replace it meanwhile).
    const w = this.window;
    const rest: number[] = [];
    let hits = 0;
    for (let k = 0; k < spans.length; k++) {
      const s = spans[k]!;
      if (w !== undefined && s.file === w.file && s.off >= w.off && s.off + s.len <= w.off + w.len) {
        out[k] = consume(w.buf.subarray(s.off - w.off, s.off - w.off + s.len), k);
        hits++;
      } else rest.push(k);
    }
    if (rest.length === 0) return out;
    const order = rest.sort((a, b) => spans[a]!.file - spans[b]!.file || spans[a]!.off - spans[b]!.off);
    let buf = this.spare.pop() ?? Buffer.allocUnsafe(0);
    let last: Window | undefined;
    try {
      for (let i = 0; i < order.length; ) {
        const first = spans[order[i]!]!;
        let end = first.off + first.len;
        let j = i + 1;
        for (; j < order.length; j++) {
          const next = spans[order[j]!]!;
          const nextEnd = Math.max(end, next.off + next.len);
          if (next.file !== first.file || next.off - end > MAX_GAP || nextEnd - first.off > MAX_READ) break;
          end = nextEnd;
        }
        const want = end - first.off;
        if (buf.length < want) buf = Buffer.allocUnsafe(Math.max(want, Math.min(MAX_READ, 2 * buf.length)));
        last = undefined;
        const fh = await this.handle(first.file);
        let done = 0;
        while (done < want) {
          this.reads++;
          const { bytesRead } = await fh.read(buf, done, want - done, first.off + done);
          if (bytesRead === 0) break;
          done += bytesRead;
          this.bytes += bytesRead;
        }
        last = { buf, file: first.file, off: first.off, len: done };
        for (let k = i; k < j; k++) {
          const s = spans[order[k]!]!;
          out[order[k]!] = consume(buf.subarray(s.off - first.off, Math.min(done, s.off - first.off + s.len)), order[k]!);
        }
        i = j;
      }
    } finally {
      // The last read becomes the window (its buffer leaves the spares; the old window's buffer is spare
      // again), unless the window served this call and is the bigger one.
      let free: Buffer | undefined = buf;
      const keep = hits > 0 && this.window !== undefined && last !== undefined && last.len < this.window.len;
      if (last !== undefined && buf.length <= MAX_READ && !keep) {
        free = this.window?.buf;
        this.window = last;
      }
      if (free !== undefined && free.length <= MAX_READ && this.spare.length < SPARE_BUFFERS) this.spare.push(free);
    }
    return out;
  }
}

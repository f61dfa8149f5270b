/**
 * Batched positional reads: many small byte ranges of a few files fetched with as few `read` calls as
 * possible, by reading neighbouring ranges (and the small gaps between them) together, into buffers
 * that are reused from call to call (so a stream does not leave megabytes of read buffers for the
 * garbage collector after every page).
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
/** Idle buffers kept for reuse. */
const SPARE_BUFFERS = 2;

/** Reads spans of numbered files; see the module comment. */
export class SpanReader {
  private spare: Buffer[] = [];

  /** @param handle - opens (or returns a cached handle of) file number `file`. */
  constructor(private readonly handle: (file: number) => Promise<FileHandle>) {}

  /**
   * Reads every span and passes its bytes to `consume`, returning the results index for index. The bytes
   * are only valid during the call (the buffer is reused); a span cut short by the end of its file
   * comes out shorter.
   *
   * @param spans - the ranges, in any order.
   * @param consume - turns the bytes of span `k` into a value.
   */
  async read<T>(spans: readonly ByteSpan[], consume: (bytes: Buffer, k: number) => T): Promise<T[]> {
    const order = spans.map((_, k) => k).sort((a, b) => spans[a]!.file - spans[b]!.file || spans[a]!.off - spans[b]!.off);
    const out = new Array<T>(spans.length);
    let buf = this.spare.pop() ?? Buffer.allocUnsafe(0);
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
        const fh = await this.handle(first.file);
        let done = 0;
        while (done < want) {
          const { bytesRead } = await fh.read(buf, done, want - done, first.off + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        for (let k = i; k < j; k++) {
          const s = spans[order[k]!]!;
          out[order[k]!] = consume(buf.subarray(s.off - first.off, Math.min(done, s.off - first.off + s.len)), order[k]!);
        }
        i = j;
      }
    } finally {
      if (buf.length <= MAX_READ && this.spare.length < SPARE_BUFFERS) this.spare.push(buf);
    }
    return out;
  }
}

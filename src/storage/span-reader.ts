/**
 * Batched positional reads: many small byte ranges of a few files fetched with as few `read` calls as
 * possible, by reading neighbouring ranges (and the small gaps between them) together.
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

/** Largest single read. */
const MAX_READ = 4 * 2 ** 20;
/** Largest gap read through to join two ranges into one read. */
const MAX_GAP = 64 * 2 ** 10;

/**
 * The bytes of every span, index for index (views into shared read buffers).
 *
 * @param handle - opens (or returns a cached handle of) file number `file`.
 * @param spans - the ranges, in any order.
 */
export async function readSpans(handle: (file: number) => Promise<FileHandle>, spans: readonly ByteSpan[]): Promise<Buffer[]> {
  const order = spans.map((_, k) => k).sort((a, b) => spans[a]!.file - spans[b]!.file || spans[a]!.off - spans[b]!.off);
  const out: Buffer[] = new Array<Buffer>(spans.length);
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
    const buf = Buffer.allocUnsafe(end - first.off);
    const fh = await handle(first.file);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await fh.read(buf, done, buf.length - done, first.off + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    for (let k = i; k < j; k++) {
      const s = spans[order[k]!]!;
      out[order[k]!] = buf.subarray(s.off - first.off, Math.min(done, s.off - first.off + s.len));
    }
    i = j;
  }
  return out;
}

/**
 * Streaming line splitter over byte or string chunks, with byte offsets. Memory is O(longest line +
 * chunk), never O(input). Used by the file store (to index segments) and by JSONL ingest.
 */

/** One line of input. */
export interface Line {
  /** 1-based line number. */
  no: number;
  /** The text without its `\n` (a trailing `\r` is kept; callers strip it). */
  text: string;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after the line's `\n`, or after its last byte when the input ends without one. */
  end: number;
  /** False for a final line not terminated by `\n` (possibly torn). */
  terminated: boolean;
}

const NL = 0x0a;

/**
 * Splits chunks into lines. Bytes are decoded as UTF-8 per line (so a multi-byte character split across
 * chunks is never broken); string chunks are encoded first.
 *
 * @param chunks - the input, e.g. a file read stream or `process.stdin`.
 */
export async function* readLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8");
  const encoder = new TextEncoder();
  let pending: Uint8Array[] = [];
  let pendingLen = 0;
  let offset = 0;
  let no = 0;
  const take = (tail: Uint8Array): Uint8Array => {
    if (pending.length === 0) return tail;
    const all = new Uint8Array(pendingLen + tail.length);
    let at = 0;
    for (const p of pending) {
      all.set(p, at);
      at += p.length;
    }
    all.set(tail, at);
    pending = [];
    pendingLen = 0;
    return all;
  };
  for await (const raw of chunks) {
    const chunk = typeof raw === "string" ? encoder.encode(raw) : raw;
    let from = 0;
    for (;;) {
      const at = chunk.indexOf(NL, from);
      if (at < 0) break;
      const bytes = take(chunk.subarray(from, at));
      const start = offset;
      offset += bytes.length + 1;
      yield { no: ++no, text: decoder.decode(bytes), start, end: offset, terminated: true };
      from = at + 1;
    }
    if (from < chunk.length) {
      // copy: the caller's buffer may be reused by the stream
      const rest = chunk.slice(from);
      pending.push(rest);
      pendingLen += rest.length;
    }
  }
  if (pendingLen > 0) {
    const bytes = take(new Uint8Array(0));
    const start = offset;
    offset += bytes.length;
    yield { no: ++no, text: decoder.decode(bytes), start, end: offset, terminated: false };
  }
}

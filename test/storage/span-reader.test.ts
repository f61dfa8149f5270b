import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SpanReader, type ByteSpan } from "../../src/storage/span-reader.js";

const dir = mkdtempSync(join(tmpdir(), "tunix-spans-"));
/** Two files of distinct pseudo-random bytes. */
const files = [0, 1].map((f) => {
  const bytes = Buffer.alloc(300_000 + f * 50_000);
  let x = 12345 + f;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  writeFileSync(join(dir, `${f}.bin`), bytes);
  return bytes;
});
const handles: FileHandle[] = [];
const reader = (): SpanReader => {
  const cache = new Map<number, FileHandle>();
  return new SpanReader(async (f) => {
    let fh = cache.get(f);
    if (!fh) {
      fh = await open(join(dir, `${f}.bin`), "r");
      cache.set(f, fh);
      handles.push(fh);
    }
    return fh;
  });
};
afterAll(async () => {
  for (const fh of handles) await fh.close();
});

const span = fc.record({ file: fc.integer({ min: 0, max: 1 }), off: fc.integer({ min: 0, max: 299_000 }), len: fc.integer({ min: 1, max: 3000 }) });
const expected = (s: ByteSpan): Buffer => files[s.file]!.subarray(s.off, s.off + s.len);

describe("SpanReader", () => {
  it("returns every span's bytes, index for index, across calls that reuse its window and buffers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(span, { maxLength: 40 }), { minLength: 1, maxLength: 6 }), async (calls) => {
        const r = reader();
        for (const spans of calls) {
          const got = await r.read(spans, (b) => Buffer.from(b));
          expect(got).toHaveLength(spans.length);
          spans.forEach((s, k) => expect(got[k]!.equals(expected(s))).toBe(true));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("gives the right bytes to concurrent calls", async () => {
    const r = reader();
    const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 50 }, (_, i) => ({ file: b % 2, off: (b * 7919 + i * 5003) % 290_000, len: 100 + ((b + i) % 900) })));
    const results = await Promise.all(batches.map((spans) => r.read(spans, (b) => Buffer.from(b))));
    batches.forEach((spans, b) => spans.forEach((s, k) => expect(results[b]![k]!.equals(expected(s))).toBe(true)));
  });

  it("serves a region walked in small batches from its window: read about once, not once per batch", async () => {
    const r = reader();
    // 2000 records of 100 bytes in a shuffled order, 100 per call (as an export walks a manifest whose
    // traces share a creation time: scattered over one region of the file).
    const order = Array.from({ length: 2000 }, (_, i) => i);
    let x = 7;
    for (let i = order.length - 1; i > 0; i--) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const j = x % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let b = 0; b < 20; b++) {
      const spans = order.slice(b * 100, b * 100 + 100).map((i) => ({ file: 0, off: 50_000 + i * 100, len: 100 }));
      const got = await r.read(spans, (bytes, k) => bytes.equals(expected(spans[k]!)));
      expect(got.every(Boolean)).toBe(true);
    }
    // Each batch spans nearly the whole 200 KB region; without the window that is ~20 × 200 KB.
    expect(r.bytesRead).toBeLessThan(1.5 * 200_000);
  });

  it("moves the window on when a call finds nothing in it", async () => {
    const r = reader();
    await r.read([{ file: 0, off: 0, len: 1000 }], () => 0);
    await r.read([{ file: 0, off: 200_000, len: 10 }], () => 0);
    const before = r.readCalls;
    const [ok] = await r.read([{ file: 0, off: 200_002, len: 5 }], (b) => b.equals(files[0]!.subarray(200_002, 200_007)));
    expect(ok).toBe(true);
    expect(r.readCalls).toBe(before);
  });

  it("cuts a span short at the end of its file", async () => {
    const r = reader();
    const n = files[1]!.length;
    const [tail] = await r.read([{ file: 1, off: n - 10, len: 50 }], (b) => Buffer.from(b));
    expect(tail!.equals(files[1]!.subarray(n - 10))).toBe(true);
  });
});

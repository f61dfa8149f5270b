/**
 * File trace store: append-only JSONL segments (format in file-segments.ts) plus a compact in-memory
 * index ({@link FileIndex}) rebuilt on open.
 *
 * Layout of `dir`: `LOCK` (pid of the owning process) and `segments/NNNNNNNN.jsonl`. On open, lines
 * after the last commit (a crash mid-write, a torn last line) are ignored and cut off; earlier data is
 * never touched. A second process opening the same directory gets `STORE_LOCKED`; a lock left by a dead
 * process is taken over.
 */
import { mkdir, open, rm, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { TunixError } from "../errors.js";
import type { TraceBackend, TraceRecord, TraceRow } from "./backend.js";
import { FileIndex, MAX_SEGMENT_OFFSET } from "./file-index.js";
import { acquireLock } from "./file-lock.js";
import { FileQuery } from "./file-query.js";
import { commitLine, deleteLine, listSegments, recordLine, replaySegment, segmentPath } from "./file-segments.js";
import { readSpans } from "./span-reader.js";
import { createTraceStore } from "./store.js";
import type { TraceStore } from "./types.js";

/** Options of {@link createFileStore}. */
export interface FileStoreOptions {
  /** fsync after every write batch (default true). False trades power-loss durability for speed. */
  sync?: boolean;
  /** Start a new segment once the current one exceeds this many bytes (default 64 MiB, at most 2 GiB). */
  segmentBytes?: number;
}

/** Deleted slots tolerated before the index is compacted (and at least as many as live ones). */
const COMPACT_AFTER = 65_536;

/**
 * Opens (creating when needed) a file trace store in `dir`, holding its lock until `close()`.
 * The index holds ~100 bytes per trace (ids, times, positions, hashes; no meta), so a million traces
 * take ~100 MB; filters on meta read it from the segments.
 *
 * @param dir - the store directory.
 * @param opts - durability and segment size.
 */
export async function createFileStore(dir: string, opts: FileStoreOptions = {}): Promise<TraceStore> {
  if (typeof dir !== "string" || dir === "") throw new TunixError("INVALID_ARGUMENT", "dir: must be a non-empty path");
  const segmentBytes = opts.segmentBytes ?? 64 * 2 ** 20;
  if (!Number.isInteger(segmentBytes) || segmentBytes < 1 || segmentBytes > 2 ** 31) throw new TunixError("INVALID_ARGUMENT", "segmentBytes: must be an integer in 1..2 GiB");
  const segDir = join(dir, "segments");
  await mkdir(segDir, { recursive: true });
  const lockPath = await acquireLock(dir);
  try {
    const index = new FileIndex();
    const segs = await listSegments(segDir);
    let size = 0;
    for (const [k, seg] of segs.entries()) {
      size = await replaySegment(segmentPath(segDir, seg), seg, 0, k === segs.length - 1, (ops) => {
        for (const op of ops) {
          if ("put" in op) index.add(op.put);
          else index.remove(op.del);
        }
      });
    }
    index.compact();
    return createTraceStore(fileBackend(segDir, lockPath, index, segs[segs.length - 1] ?? 1, size, opts.sync ?? true, segmentBytes));
  } catch (e) {
    await rm(lockPath, { force: true });
    throw e;
  }
}

function fileBackend(segDir: string, lockPath: string, index: FileIndex, startSeg: number, startSize: number, sync: boolean, segmentBytes: number): TraceBackend {
  let seg = startSeg;
  let size = startSize;
  let writer: FileHandle | undefined;
  const handles = new Map<number, FileHandle>();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  // Reads hold slot numbers across awaits; compaction renumbers slots, so it waits for none to be running.
  let reading = 0;
  const read = async <T>(fn: () => Promise<T>): Promise<T> => {
    reading++;
    try {
      return await fn();
    } finally {
      reading--;
    }
  };
  const maybeCompact = (): void => {
    if (reading === 0 && index.deadCount > COMPACT_AFTER && index.deadCount > index.size) {
      index.compact();
      query.reset();
    }
  };

  const handle = async (n: number): Promise<FileHandle> => {
    let fh = handles.get(n);
    if (!fh) {
      fh = await open(segmentPath(segDir, n), "r");
      handles.set(n, fh);
    }
    return fh;
  };

  /** Record lines of slots, parsed; a line that does not hold the slot's id is damage. */
  const readRecords = async (slots: readonly number[]): Promise<{ id: string; created_at: string; content_hash: string; trace: Record<string, unknown> }[]> => {
    const spans = slots.map((s) => index.span(s));
    const bufs = await readSpans(handle, spans);
    return bufs.map((buf, k) => {
      let rec: { id?: unknown; created_at: string; content_hash: string; trace: Record<string, unknown> } | undefined;
      try {
        rec = JSON.parse(buf.toString("utf8")) as typeof rec;
      } catch {
        rec = undefined;
      }
      const id = index.id(slots[k]!);
      if (rec?.id !== id) {
        const { file, off } = spans[k]!;
        throw new TunixError("STORE_CORRUPT", `${segmentPath(segDir, file)}: the record of ${JSON.stringify(id)} at byte ${off} is damaged`, { details: { path: segmentPath(segDir, file), offset: off } });
      }
      return rec as { id: string; created_at: string; content_hash: string; trace: Record<string, unknown> };
    });
  };

  const readRows = async (slots: readonly number[]): Promise<TraceRow[]> =>
    (await readRecords(slots)).map((r) => ({ id: r.id, created_at: r.created_at, content_hash: r.content_hash, body: r.trace }));

  const query = new FileQuery(index, async (slots) => (await readRecords(slots)).map((r) => (r.trace.meta ?? null) as Record<string, unknown> | null));

  const append = async (lines: string[]): Promise<number[]> => {
    const buf = Buffer.from(lines.join(""), "utf8");
    if (size > 0 && (size >= segmentBytes || size + buf.length > MAX_SEGMENT_OFFSET)) {
      await writer?.close();
      writer = undefined;
      seg++;
      size = 0;
    }
    if (buf.length > MAX_SEGMENT_OFFSET) throw new TunixError("INVALID_ARGUMENT", `one write of ${buf.length} bytes is more than a segment can hold (4 GiB)`);
    writer ??= await open(segmentPath(segDir, seg), "a");
    const starts: number[] = [];
    let at = size;
    for (const l of lines) {
      starts.push(at);
      at += Buffer.byteLength(l);
    }
    try {
      let done = 0;
      while (done < buf.length) done += (await writer.write(buf, done, buf.length - done)).bytesWritten;
      if (sync) await writer.sync();
    } catch (e) {
      await truncate(segmentPath(segDir, seg), size).catch(() => undefined);
      throw new TunixError("BACKEND_ERROR", `writing ${segmentPath(segDir, seg)} failed: ${(e as Error).message}`, { cause: e });
    }
    size += buf.length;
    return starts;
  };

  return {
    kind: "file",
    capabilities: { persistent: true, filterPushdown: false, concurrentWriters: false },
    insert: (records: readonly TraceRecord[], { dedupe }) =>
      serial(async () => {
        const written = records.map((r) => !(dedupe && index.hasHash(r.content_hash)));
        const clash = records.filter((r, i) => written[i] && index.slotOf(r.id) >= 0).map((r) => r.id);
        if (clash.length > 0) throw new TunixError("STORE_CONFLICT", `ids already exist: ${clash.join(", ")}`, { details: { ids: clash } });
        const keep = records.filter((_, i) => written[i]);
        if (keep.length === 0) return written;
        const lines = keep.map((r) => recordLine(r.id, r.created_at, r.content_hash, r.body));
        lines.push(commitLine(keep.length));
        const starts = await append(lines);
        keep.forEach((r, i) => {
          index.add({ id: r.id, createdMs: Date.parse(r.created_at), contentHash: r.content_hash, traceVersion: r.trace_version, seg, off: starts[i]!, len: starts[i + 1]! - starts[i]! });
        });
        return written;
      }),
    get: (ids) =>
      read(async () => {
        const slots: number[] = [];
        for (const id of ids) {
          const s = index.slotOf(id);
          if (s >= 0) slots.push(s);
        }
        return readRows(slots);
      }),
    delete: (id) =>
      serial(async () => {
        if (index.slotOf(id) < 0) return false;
        await append([deleteLine(id), commitLine(1)]);
        index.remove(id);
        maybeCompact();
        return true;
      }),
    count: (filter) => read(() => query.count(filter)),
    page: (req) => read(async () => readRows(await query.page(req))),
    close: () =>
      serial(async () => {
        await writer?.close();
        for (const fh of handles.values()) await fh.close();
        handles.clear();
        await rm(lockPath, { force: true });
      }),
  };
}

/**
 * File trace store: append-only JSONL segments (format in file-segments.ts), a binary sidecar per segment
 * (file-sidecar.ts) and a compact in-memory index ({@link FileIndex}) loaded from the sidecars on open.
 *
 * Layout of `dir`: `LOCK` (pid of the owning process), `segments/NNNNNNNN.jsonl` and
 * `segments/NNNNNNNN.idx`. On open, lines after the last commit (a crash mid-write, a torn last line)
 * are ignored and cut off; earlier data is never touched. Sidecars are derived: missing, stale or torn
 * ones are rebuilt from their segments. A second process opening the same directory gets
 * `STORE_LOCKED`; a lock left by a dead process is taken over.
 */
import { mkdir, open, rm, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { TunixError } from "../errors.js";
import type { TraceBackend, TraceRecord, TraceRow } from "./backend.js";
import { MAX_SEGMENT_OFFSET, type FileIndex } from "./file-index.js";
import { commitOps, loadSegments, sidecarPath, type LoadedSegments } from "./file-load.js";
import { acquireLock } from "./file-lock.js";
import { FileQuery, type DiskFields } from "./file-query.js";
import { commitLine, deleteLine, recordLine, segmentPath, splitRecordLine, type RecordParts, type SegmentOp } from "./file-segments.js";
import { decodeEntryFields, SidecarWriter } from "./file-sidecar.js";
import { SpanReader } from "./span-reader.js";
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
 * The index holds ~60 bytes per trace plus its id (times, positions, a hash fingerprint; no meta), so a
 * million traces take ~60–75 MB; filters on meta or content_hash read the sidecars (once per filter).
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
    return createTraceStore(fileBackend(segDir, lockPath, await loadSegments(segDir), opts.sync ?? true, segmentBytes));
  } catch (e) {
    await rm(lockPath, { force: true });
    throw e;
  }
}

function fileBackend(segDir: string, lockPath: string, loaded: LoadedSegments, sync: boolean, segmentBytes: number): TraceBackend {
  const { index } = loaded;
  let { seg, size, sidecar } = loaded;
  let writer: FileHandle | undefined;
  const handles = new Map<number, FileHandle>();
  const sidecarHandles = new Map<number, FileHandle>();
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

  const cached = (map: Map<number, FileHandle>, path: (n: number) => string) => async (n: number): Promise<FileHandle> => {
    let fh = map.get(n);
    if (!fh) {
      fh = await open(path(n), "r");
      map.set(n, fh);
    }
    return fh;
  };
  const handle = cached(handles, (n) => segmentPath(segDir, n));
  const sidecarHandle = cached(sidecarHandles, (n) => sidecarPath(segDir, n));

  const segments = new SpanReader(handle);
  const sidecars = new SpanReader(sidecarHandle);
  /**
   * Record lines of slots, split (the trace stays JSON text); a line that does not hold the slot's id is
   * damage. `ids[k]`, when given, is the id of `slots[k]` (a lookup's own string: no need to rebuild it).
   */
  const readRecords = (slots: readonly number[], ids?: readonly string[]): Promise<RecordParts[]> =>
    segments.read(
      slots.map((s) => index.span(s)),
      (buf, k) => {
        const id = ids?.[k] ?? index.id(slots[k]!);
        const parts = splitRecordLine(buf, id);
        if (parts === undefined) {
          const { file, off } = index.span(slots[k]!);
          throw new TunixError("STORE_CORRUPT", `${segmentPath(segDir, file)}: the record of ${JSON.stringify(id)} at byte ${off} is damaged`, { details: { path: segmentPath(segDir, file), offset: off } });
        }
        return parts;
      },
    );

  // The trace stays text until the core parses it, one at a time as a stream yields: a page of parsed
  // traces kept alive together would mostly be promoted to the old generation before it is dropped.
  const readRows = async (slots: readonly number[], ids?: readonly string[]): Promise<TraceRow[]> =>
    (await readRecords(slots, ids)).map((r) => ({ id: r.id, created_at: r.created_at, content_hash: r.content_hash, body: r.trace }));

  /** Content hash and meta of slots: from their sidecar entries, or from the segment for slots without one. */
  const readDiskFields = async (slots: readonly number[], visit: (k: number, fields: DiskFields) => void): Promise<void> => {
    const inSidecar: number[] = [];
    const inSegment: number[] = [];
    slots.forEach((s, k) => (index.sidecarSpan(s) ? inSidecar : inSegment).push(k));
    await sidecars.read(
      inSidecar.map((k) => index.sidecarSpan(slots[k]!)!),
      (buf, j) => {
        let fields: DiskFields;
        try {
          fields = decodeEntryFields(buf);
        } catch (e) {
          const { file, off } = index.sidecarSpan(slots[inSidecar[j]!]!)!;
          throw new TunixError("STORE_CORRUPT", `${sidecarPath(segDir, file)}: the entry at byte ${off} is damaged (delete the file to rebuild it)`, { cause: e });
        }
        visit(inSidecar[j]!, fields);
      },
    );
    const records = await readRecords(inSegment.map((k) => slots[k]!));
    inSegment.forEach((k, j) => {
      const r = records[j]!;
      visit(k, { hash: Buffer.from(r.content_hash, "hex"), metaJson: null, meta: (JSON.parse(r.trace) as { meta?: Record<string, unknown> | null }).meta ?? null });
    });
  };

  const query = new FileQuery(index, readDiskFields);

  /** True when a live trace has this content hash (fingerprint candidates checked against disk). */
  const isStored = async (contentHash: string): Promise<boolean> => {
    const hash = Buffer.from(contentHash, "hex");
    const candidates = index.hashCandidates(hash);
    let found = false;
    if (candidates.length > 0) await readDiskFields(candidates, (_, f) => (found ||= hash.equals(f.hash)));
    return found;
  };

  /** Appends lines (one batch ending in its commit line) to the current segment; returns each line's offset. */
  const append = async (lines: string[]): Promise<number[]> => {
    const buf = Buffer.from(lines.join(""), "utf8");
    if (size > 0 && (size >= segmentBytes || size + buf.length > MAX_SEGMENT_OFFSET)) {
      await writer?.close();
      await sidecar?.close();
      writer = undefined;
      sidecar = undefined;
      seg++;
      size = 0;
    }
    if (buf.length > MAX_SEGMENT_OFFSET) throw new TunixError("INVALID_ARGUMENT", `one write of ${buf.length} bytes is more than a segment can hold (4 GiB)`);
    writer ??= await open(segmentPath(segDir, seg), "a");
    sidecar ??= await SidecarWriter.open(sidecarPath(segDir, seg), 0);
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

  /** Writes a batch of operations (their lines plus a commit line), then records them in sidecar and index. */
  const write = async (ops: SegmentOp[], lines: string[]): Promise<void> => {
    lines.push(commitLine(lines.length));
    const starts = await append(lines);
    ops.forEach((op, i) => {
      if ("put" in op) Object.assign(op.put, { seg, off: starts[i]!, len: starts[i + 1]! - starts[i]! });
      else Object.assign(op, { off: starts[i]!, len: starts[i + 1]! - starts[i]! });
    });
    await commitOps(index, sidecar, ops, starts[0]!, size, ops.length);
  };

  return {
    kind: "file",
    capabilities: { persistent: true, filterPushdown: false, concurrentWriters: false },
    insert: (records: readonly TraceRecord[], { dedupe }) =>
      serial(async () => {
        const written: boolean[] = [];
        for (const r of records) written.push(!(dedupe && (await isStored(r.content_hash))));
        const clash = records.filter((r, i) => written[i] && index.slotOf(r.id) >= 0).map((r) => r.id);
        if (clash.length > 0) throw new TunixError("STORE_CONFLICT", `ids already exist: ${clash.join(", ")}`, { details: { ids: clash } });
        const keep = records.filter((_, i) => written[i]);
        if (keep.length === 0) return written;
        const ops: SegmentOp[] = keep.map((r) => ({
          put: { id: r.id, createdMs: Date.parse(r.created_at), hash: Buffer.from(r.content_hash, "hex"), traceVersion: r.trace_version, seg, off: 0, len: 0, idxOff: 0, idxLen: 0 },
          metaJson: r.meta_json,
        }));
        await write(ops, keep.map((r) => recordLine(r.id, r.created_at, r.content_hash, r.body)));
        return written;
      }),
    get: (ids) =>
      read(async () => {
        const slots: number[] = [];
        const found: string[] = [];
        for (const id of ids) {
          const s = index.slotOf(id);
          if (s >= 0) {
            slots.push(s);
            found.push(id);
          }
        }
        return readRows(slots, found);
      }),
    delete: (id) =>
      serial(async () => {
        if (index.slotOf(id) < 0) return false;
        await write([{ del: id, off: 0, len: 0 }], [deleteLine(id)]);
        maybeCompact();
        return true;
      }),
    count: (filter) => read(() => query.count(filter)),
    page: (req) => read(async () => readRows(await query.page(req))),
    close: () =>
      serial(async () => {
        await writer?.close();
        await sidecar?.close();
        for (const fh of [...handles.values(), ...sidecarHandles.values()]) await fh.close();
        handles.clear();
        sidecarHandles.clear();
        await rm(lockPath, { force: true });
      }),
  };
}

/**
 * File trace store: append-only JSONL segments plus an in-memory index rebuilt on open.
 *
 * Layout of `dir`: `LOCK` (pid of the owning process) and `segments/NNNNNNNN.jsonl`. Each write is one
 * batch of lines, `{"id","created_at","content_hash","trace"}` records or `{"delete": id}`, closed by
 * `{"commit": n}`. On open, lines after the last commit (a crash mid-write, a torn last line) are
 * ignored and cut off; earlier data is never touched. A second process opening the same directory gets
 * `STORE_LOCKED`; a lock left by a dead process is taken over.
 */
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rm, stat, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { TunixError } from "../errors.js";
import { copyRecordMeta, type TraceBackend, type TraceRecord, type TraceRow } from "./backend.js";
import { acquireLock } from "./file-lock.js";
import { readLines } from "./line-reader.js";
import { RecordIndex, type IndexEntry } from "./record-index.js";
import { createTraceStore } from "./store.js";
import type { TraceStore } from "./types.js";

/** Options of {@link createFileStore}. */
export interface FileStoreOptions {
  /** fsync after every write batch (default true). False trades power-loss durability for speed. */
  sync?: boolean;
  /** Start a new segment once the current one exceeds this many bytes (default 64 MiB). */
  segmentBytes?: number;
}

interface FileEntry extends IndexEntry {
  seg: number;
  offset: number;
  length: number;
}

const segName = (n: number): string => `${String(n).padStart(8, "0")}.jsonl`;

/**
 * Opens (creating when needed) a file trace store in `dir`, holding its lock until `close()`.
 * Good for up to about a million traces: the index (ids, times, meta) lives in memory.
 *
 * @param dir - the store directory.
 * @param opts - durability and segment size.
 */
export async function createFileStore(dir: string, opts: FileStoreOptions = {}): Promise<TraceStore> {
  if (typeof dir !== "string" || dir === "") throw new TunixError("INVALID_ARGUMENT", "dir: must be a non-empty path");
  const segDir = join(dir, "segments");
  await mkdir(segDir, { recursive: true });
  const lockPath = await acquireLock(dir);
  try {
    const index = new RecordIndex<FileEntry>();
    const segs = (await readdir(segDir)).filter((n) => /^\d{8}\.jsonl$/.test(n)).map((n) => Number(n.slice(0, 8))).sort((a, b) => a - b);
    let size = 0;
    for (const [k, seg] of segs.entries()) size = await loadSegment(join(segDir, segName(seg)), seg, index, k === segs.length - 1);
    const current = segs[segs.length - 1] ?? 1;
    return createTraceStore(fileBackend(segDir, lockPath, index, current, size, opts));
  } catch (e) {
    await rm(lockPath, { force: true });
    throw e;
  }
}

/** Replays one segment into the index; returns its committed size (the tail is cut off on the last one). */
async function loadSegment(path: string, seg: number, index: RecordIndex<FileEntry>, last: boolean): Promise<number> {
  type Op = { put: FileEntry } | { del: string };
  let pending: Op[] = [];
  let committed = 0;
  let bad: { no: number; reason: string } | undefined;
  for await (const line of readLines(createReadStream(path))) {
    let v: Record<string, unknown> | undefined;
    try {
      v = line.terminated ? (JSON.parse(line.text) as Record<string, unknown>) : undefined;
    } catch {
      v = undefined;
    }
    if (bad) {
      // Only the very last line can be torn; anything after a bad line means real damage.
      throw new TunixError("STORE_CORRUPT", `${path}: line ${bad.no}: ${bad.reason}, followed by more data`, { details: { path, line: bad.no } });
    }
    if (v === undefined || typeof v !== "object" || v === null) {
      bad = { no: line.no, reason: line.terminated ? "invalid JSON" : "unterminated last line" };
      continue;
    }
    if (typeof v.commit === "number") {
      if (v.commit !== pending.length) {
        throw new TunixError("STORE_CORRUPT", `${path}: line ${line.no}: commit of ${v.commit} lines after ${pending.length}`, { details: { path, line: line.no } });
      }
      for (const op of pending) {
        if ("put" in op) index.add(op.put);
        else index.remove(op.del);
      }
      pending = [];
      committed = line.end;
    } else if (typeof v.delete === "string") {
      pending.push({ del: v.delete });
    } else if (typeof v.id === "string" && typeof v.created_at === "string" && typeof v.content_hash === "string" && typeof v.trace === "object" && v.trace) {
      const t = v.trace as { trace_version: string; meta?: Record<string, unknown> | null };
      pending.push({
        put: { id: v.id, created_at: v.created_at, content_hash: v.content_hash, trace: { trace_version: t.trace_version, meta: t.meta ?? null }, seg, offset: line.start, length: line.end - line.start },
      });
    } else {
      bad = { no: line.no, reason: "not a record, delete or commit line" };
    }
  }
  const { size } = await stat(path);
  if (committed < size) {
    if (!last) throw new TunixError("STORE_CORRUPT", `${path}: line ${bad?.no ?? "?"}: ${bad?.reason ?? "uncommitted data"} inside an older segment`, { details: { path } });
    // A crash mid-write left an uncommitted tail: cut it so the next batch starts on a clean line.
    await truncate(path, committed);
  }
  return committed;
}

function fileBackend(segDir: string, lockPath: string, index: RecordIndex<FileEntry>, startSeg: number, startSize: number, opts: FileStoreOptions): TraceBackend {
  const sync = opts.sync ?? true;
  const segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
  let seg = startSeg;
  let size = startSize;
  let writer: FileHandle | undefined;
  const readers = new Map<number, FileHandle>();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const append = async (lines: string[]): Promise<number[]> => {
    if (size > 0 && size >= segmentBytes) {
      await writer?.close();
      writer = undefined;
      seg++;
      size = 0;
    }
    writer ??= await open(join(segDir, segName(seg)), "a");
    const starts: number[] = [];
    let at = size;
    for (const l of lines) {
      starts.push(at);
      at += Buffer.byteLength(l);
    }
    const buf = Buffer.from(lines.join(""), "utf8");
    try {
      let done = 0;
      while (done < buf.length) done += (await writer.write(buf, done, buf.length - done)).bytesWritten;
      if (sync) await writer.sync();
    } catch (e) {
      await truncate(join(segDir, segName(seg)), size).catch(() => undefined);
      throw new TunixError("BACKEND_ERROR", `writing ${join(segDir, segName(seg))} failed: ${(e as Error).message}`, { cause: e });
    }
    size += buf.length;
    return starts;
  };

  const reader = async (seg: number): Promise<FileHandle> => {
    let fh = readers.get(seg);
    if (!fh) {
      fh = await open(join(segDir, segName(seg)), "r");
      readers.set(seg, fh);
    }
    return fh;
  };

  /**
   * Reads rows in the given order. Entries lying back to back in one segment (the usual case for a page
   * in created_at order) are fetched with one read per run of up to 4 MiB instead of one per trace.
   */
  const readRows = async (entries: readonly FileEntry[]): Promise<TraceRow[]> => {
    const out: TraceRow[] = [];
    for (let i = 0; i < entries.length; ) {
      const first = entries[i]!;
      let j = i + 1;
      let end = first.offset + first.length;
      while (j < entries.length && entries[j]!.seg === first.seg && entries[j]!.offset === end && end - first.offset < 4 * 2 ** 20) {
        end += entries[j]!.length;
        j++;
      }
      const buf = Buffer.alloc(end - first.offset);
      await (await reader(first.seg)).read(buf, 0, buf.length, first.offset);
      for (let k = i; k < j; k++) {
        const e = entries[k]!;
        const at = e.offset - first.offset;
        const rec = JSON.parse(buf.toString("utf8", at, at + e.length)) as { trace: object };
        out.push({ id: e.id, created_at: e.created_at, content_hash: e.content_hash, body: rec.trace });
      }
      i = j;
    }
    return out;
  };

  return {
    kind: "file",
    capabilities: { persistent: true, filterPushdown: false, concurrentWriters: false },
    insert: (records: readonly TraceRecord[], { dedupe }) =>
      serial(async () => {
        const written = records.map((r) => !(dedupe && index.hasHash(r.content_hash)));
        const clash = records.filter((r, i) => written[i] && index.byId.has(r.id)).map((r) => r.id);
        if (clash.length > 0) throw new TunixError("STORE_CONFLICT", `ids already exist: ${clash.join(", ")}`, { details: { ids: clash } });
        const keep = records.filter((_, i) => written[i]);
        if (keep.length === 0) return written;
        const lines = keep.map(
          (r) => `{"id":${JSON.stringify(r.id)},"created_at":"${r.created_at}","content_hash":"${r.content_hash}","trace":${r.body}}\n`,
        );
        lines.push(`{"commit":${keep.length}}\n`);
        const starts = await append(lines);
        keep.forEach((r, i) => {
          index.add({
            id: r.id,
            created_at: r.created_at,
            content_hash: r.content_hash,
            trace: { trace_version: r.trace_version, meta: copyRecordMeta(r) },
            seg,
            offset: starts[i]!,
            length: starts[i + 1]! - starts[i]!,
          });
        });
        return written;
      }),
    async get(ids) {
      const found: FileEntry[] = [];
      for (const id of ids) {
        const e = index.byId.get(id);
        if (e) found.push(e);
      }
      return readRows(found);
    },
    delete: (id) =>
      serial(async () => {
        if (!index.byId.has(id)) return false;
        await append([`{"delete":${JSON.stringify(id)}}\n`, `{"commit":1}\n`]);
        index.remove(id);
        return true;
      }),
    async count(filter) {
      return index.count(filter);
    },
    async page(req) {
      return readRows(index.page(req));
    },
    close: () =>
      serial(async () => {
        await writer?.close();
        for (const fh of readers.values()) await fh.close();
        readers.clear();
        await rm(lockPath, { force: true });
      }),
  };
}

/**
 * Opening a file store's segments: each segment's sidecar is loaded as far as it checks out, the segment
 * is replayed from there (writing what it finds to the sidecar, so a store written before sidecars
 * existed is indexed once and opens fast afterwards), and a sidecar that contradicts its segment is
 * deleted and the open started over.
 */
import { open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { FileIndex } from "./file-index.js";
import { listSegments, replaySegment, segmentPath, type SegmentOp } from "./file-segments.js";
import { encodeBatch, loadSidecar, readBuffer, SidecarWriter, sidecarName, StaleSidecarError } from "./file-sidecar.js";

/** Operations per sidecar batch written while replaying a segment. */
const REPLAY_BATCH = 1_024;

/** An opened store: its index and where writing continues. */
export interface LoadedSegments {
  /** The index of every committed operation. */
  index: FileIndex;
  /** The newest segment (1 for an empty store). */
  seg: number;
  /** Its committed size. */
  size: number;
  /** Its sidecar, open for appending (undefined for an empty store). */
  sidecar: SidecarWriter | undefined;
}

/** Path of segment `n`'s sidecar in `segDir`. */
export const sidecarPath = (segDir: string, n: number): string => join(segDir, sidecarName(n));

/** Applies one operation to the index. */
function applyOp(index: FileIndex, op: SegmentOp): void {
  if ("put" in op) index.add(op.put);
  else index.remove(op.del);
}

/**
 * Records committed operations: appends them to the sidecar (when it works; otherwise their entries are
 * marked as having none, so reads go to the segment), then applies them to the index. Called after the
 * segment holds them, so the sidecar never runs ahead of a durable segment.
 */
export async function commitOps(index: FileIndex, sidecar: SidecarWriter | undefined, ops: SegmentOp[], segStart: number, segEnd: number, lastCommit: number): Promise<void> {
  const at = sidecar?.size;
  if (at === undefined || !(await sidecar!.append(encodeBatch(ops, at, segStart, segEnd, lastCommit)))) {
    for (const op of ops) if ("put" in op) op.put.idxLen = 0;
  }
  for (const op of ops) applyOp(index, op);
}

/**
 * Loads every segment of `segDir` into a new index.
 *
 * @throws `STORE_CORRUPT` for damaged segment data (see replaySegment).
 */
export async function loadSegments(segDir: string): Promise<LoadedSegments> {
  const segs = await listSegments(segDir);
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadOnce(segDir, segs);
    } catch (e) {
      // Each retry deletes one sidecar, so this ends after at most one retry per segment.
      if (!(e instanceof StaleSidecarError) || attempt > segs.length) throw e;
      await rm(e.path, { force: true });
    }
  }
}

async function loadOnce(segDir: string, segs: readonly number[]): Promise<LoadedSegments> {
  const index = new FileIndex();
  let size = 0;
  let sidecar: SidecarWriter | undefined;
  const scratch = readBuffer();
  // Segment sizes, to size the id table once from the first segment's traces per byte.
  const sizes: number[] = [];
  for (const seg of segs) sizes.push((await stat(segmentPath(segDir, seg))).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  for (const [k, seg] of segs.entries()) {
    const last = k === segs.length - 1;
    const path = segmentPath(segDir, seg);
    const fh = await open(path, "r");
    let state;
    try {
      state = await loadSidecar(sidecarPath(segDir, seg), fh, seg, (op) => applyOp(index, op), scratch);
    } finally {
      await fh.close();
    }
    const writer = await SidecarWriter.open(sidecarPath(segDir, seg), state.size);
    let pending: SegmentOp[] = [];
    let start = state.covered;
    let end = start;
    let lastCommit = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      await commitOps(index, writer, pending, start, end, lastCommit);
      pending = [];
      start = end;
    };
    try {
      size = await replaySegment(path, seg, state.covered, last, async (ops, committed) => {
        for (const op of ops) pending.push(op);
        end = committed;
        lastCommit = ops.length;
        if (pending.length >= REPLAY_BATCH) await flush();
      });
      await flush();
    } catch (e) {
      await writer.close();
      throw e;
    }
    if (last) sidecar = writer;
    else await writer.close();
    if (k === 0 && !last && sizes[0]! > 0) index.reserve(Math.ceil((index.slotCount / sizes[0]!) * total));
  }
  index.compact();
  return { index, seg: segs[segs.length - 1] ?? 1, size, sidecar };
}

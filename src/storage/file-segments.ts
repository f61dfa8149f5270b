/**
 * The file store's segment format: `segments/NNNNNNNN.jsonl`, each write one batch of lines —
 * `{"id","created_at","content_hash","trace"}` records or `{"delete": id}` — closed by `{"commit": n}`.
 * Replaying a segment applies its committed batches; lines after the last commit (a crash mid-write, a
 * torn last line) are cut off in the newest segment and are damage anywhere else.
 */
import { createReadStream } from "node:fs";
import { readdir, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { TunixError } from "../errors.js";
import type { FileEntry } from "./file-index.js";
import { readLines } from "./line-reader.js";
import { checkTraceId } from "./store.js";

/** One committed operation of a segment. */
export type SegmentOp = { put: FileEntry; meta: Record<string, unknown> | null } | { del: string; off: number; len: number };

/** File name of segment `n`. */
export const segmentName = (n: number): string => `${String(n).padStart(8, "0")}.jsonl`;

/** The segment numbers present in `segDir`, ascending. */
export async function listSegments(segDir: string): Promise<number[]> {
  return (await readdir(segDir))
    .filter((n) => /^\d{8}\.jsonl$/.test(n))
    .map((n) => Number(n.slice(0, 8)))
    .sort((a, b) => a - b);
}

/** The record line the store writes for a trace (the `trace` JSON text is kept as given). */
export function recordLine(id: string, createdAt: string, contentHash: string, body: string): string {
  return `{"id":${JSON.stringify(id)},"created_at":"${createdAt}","content_hash":"${contentHash}","trace":${body}}\n`;
}

/** The delete line of an id. */
export const deleteLine = (id: string): string => `{"delete":${JSON.stringify(id)}}\n`;

/** The line closing a batch of `n` lines. */
export const commitLine = (n: number): string => `{"commit":${n}}\n`;

/**
 * Replays segment `seg` from byte `from` (a commit boundary), calling `apply` once per committed batch.
 * Returns the committed size: an uncommitted tail is cut off when `last`, and is `STORE_CORRUPT` otherwise.
 *
 * @param path - the segment file.
 * @param seg - its number (recorded in the entries).
 * @param from - where to start (0, or the end of data already known).
 * @param last - true for the newest segment (the only one a crash can leave unfinished).
 * @param apply - receives each committed batch of operations, in order.
 */
export async function replaySegment(path: string, seg: number, from: number, last: boolean, apply: (ops: SegmentOp[]) => void | Promise<void>): Promise<number> {
  let pending: SegmentOp[] = [];
  let committed = from;
  let bad: { no: number; reason: string } | undefined;
  const corrupt = (no: number, reason: string): TunixError => new TunixError("STORE_CORRUPT", `${path}: line ${no}: ${reason}`, { details: { path, line: no } });
  for await (const line of readLines(createReadStream(path, { start: from }))) {
    if (bad) {
      // Only the very last line can be torn; anything after a bad line means real damage.
      throw new TunixError("STORE_CORRUPT", `${path}: line ${bad.no}: ${bad.reason}, followed by more data`, { details: { path, line: bad.no } });
    }
    let v: Record<string, unknown> | undefined;
    try {
      v = line.terminated ? (JSON.parse(line.text) as Record<string, unknown>) : undefined;
    } catch {
      v = undefined;
    }
    if (v === undefined || typeof v !== "object" || v === null) {
      bad = { no: line.no, reason: line.terminated ? "invalid JSON" : "unterminated last line" };
      continue;
    }
    const off = from + line.start;
    const len = line.end - line.start;
    if (typeof v.commit === "number") {
      if (v.commit !== pending.length) throw corrupt(line.no, `commit of ${v.commit} lines after ${pending.length}`);
      if (pending.length > 0) await apply(pending);
      pending = [];
      committed = from + line.end;
    } else if (typeof v.delete === "string") {
      pending.push({ del: v.delete, off, len });
    } else if (typeof v.id === "string" && typeof v.created_at === "string" && typeof v.content_hash === "string" && typeof v.trace === "object" && v.trace) {
      const t = v.trace as { trace_version?: unknown; meta?: Record<string, unknown> | null };
      const createdMs = Date.parse(v.created_at);
      if (checkTraceId(v.id) !== undefined) throw corrupt(line.no, `bad id ${JSON.stringify(v.id)}`);
      if (!Number.isFinite(createdMs) || new Date(createdMs).toISOString() !== v.created_at) throw corrupt(line.no, `bad created_at ${JSON.stringify(v.created_at)}`);
      if (typeof t.trace_version !== "string") throw corrupt(line.no, "trace without trace_version");
      pending.push({ put: { id: v.id, createdMs, contentHash: v.content_hash, traceVersion: t.trace_version, seg, off, len }, meta: t.meta ?? null });
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

/** Path of segment `n` in `segDir`. */
export const segmentPath = (segDir: string, n: number): string => join(segDir, segmentName(n));

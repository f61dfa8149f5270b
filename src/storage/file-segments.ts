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

/**
 * One committed operation of a segment: a put (its entry, whose sidecar position is filled in when the
 * entry is written there, and its meta as JSON text) or a delete (with its line's position).
 */
export type SegmentOp = { put: FileEntry; metaJson: string | null } | { del: string; off: number; len: number };

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

/** A record line split into its parts; `trace` is the trace's JSON text. */
export interface RecordParts {
  /** Store id. */
  id: string;
  /** ISO-8601 creation time. */
  created_at: string;
  /** Hex sha256. */
  content_hash: string;
  /** The trace as JSON text. */
  trace: string;
}

const RECORD_HEAD = '{"id":';
const CREATED_KEY = ',"created_at":"';
const HASH_KEY = '","content_hash":"';
const TRACE_KEY = '","trace":';
const ID_OPEN = Buffer.from('{"id":"', "latin1");
const CREATED_BYTES = Buffer.from(CREATED_KEY, "latin1");
const HASH_BYTES = Buffer.from(HASH_KEY, "latin1");
const TRACE_BYTES = Buffer.from(TRACE_KEY, "latin1");

/** True when `line[at, at + want.length)` holds `want`'s bytes. */
function bytesAt(line: Buffer, at: number, want: Buffer): boolean {
  for (let i = 0; i < want.length; i++) if (line[at + i] !== want[i]) return false;
  return true;
}

/** True when `line[at, at + id.length)` holds the characters of `id` (printable ASCII needing no escape). */
function plainIdAt(line: Buffer, at: number, id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || line[at + i] !== c) return false;
  }
  return true;
}

/** The last creation time decoded, reused while lines repeat it (traces of one write share it). */
let lastCreated = "";
const lastCreatedBytes = Buffer.alloc(24);

function createdAt(line: Buffer, at: number): string {
  if (!bytesAt(line, at, lastCreatedBytes) || lastCreated === "") {
    line.copy(lastCreatedBytes, 0, at, at + 24);
    lastCreated = line.toString("latin1", at, at + 24);
  }
  return lastCreated;
}

/**
 * Splits the bytes of a record line (with or without its `\n`) known to hold `id`, without parsing the
 * trace: lines as {@link recordLine} writes them are cut at fixed places, checked byte by byte (no
 * strings are made for the checks); any other layout (a tool's own writer) goes through JSON.parse.
 * Returns undefined when the line is not a record of `id`.
 *
 * @param line - the line's bytes.
 * @param id - the id the index expects there.
 */
export function splitRecordLine(line: Buffer, id: string): RecordParts | undefined {
  let end = line.length;
  if (line[end - 1] === 0x0a) end--;
  // `{"id":"<id>","created_at":"<24>","content_hash":"<64>","trace":{…}}` for an id needing no escape.
  const idEnd = ID_OPEN.length + id.length;
  const createdAt0 = idEnd + 1 + CREATED_BYTES.length;
  const hashAt = createdAt0 + 24 + HASH_BYTES.length;
  const traceAt = hashAt + 64 + TRACE_BYTES.length;
  if (
    end > traceAt + 1 &&
    line[end - 1] === 0x7d &&
    bytesAt(line, 0, ID_OPEN) &&
    plainIdAt(line, ID_OPEN.length, id) &&
    line[idEnd] === 0x22 &&
    bytesAt(line, idEnd + 1, CREATED_BYTES) &&
    bytesAt(line, createdAt0 + 24, HASH_BYTES) &&
    bytesAt(line, hashAt + 64, TRACE_BYTES)
  ) {
    return { id, created_at: createdAt(line, createdAt0), content_hash: line.toString("latin1", hashAt, hashAt + 64), trace: line.toString("utf8", traceAt, end - 1) };
  }
  // An id with `"` or `\\` in it: compare its JSON form.
  const head = RECORD_HEAD + JSON.stringify(id) + CREATED_KEY;
  const hashAt2 = head.length + 24 + HASH_KEY.length;
  const traceAt2 = hashAt2 + 64 + TRACE_KEY.length;
  if (
    end > traceAt2 + 1 &&
    line[end - 1] === 0x7d &&
    line.toString("latin1", 0, head.length) === head &&
    line.toString("latin1", head.length + 24, hashAt2) === HASH_KEY &&
    line.toString("latin1", hashAt2 + 64, traceAt2) === TRACE_KEY
  ) {
    return { id, created_at: line.toString("latin1", head.length, head.length + 24), content_hash: line.toString("latin1", hashAt2, hashAt2 + 64), trace: line.toString("utf8", traceAt2, end - 1) };
  }
  let rec: { id?: unknown; created_at?: unknown; content_hash?: unknown; trace?: unknown } | undefined;
  try {
    rec = JSON.parse(line.toString("utf8")) as typeof rec;
  } catch {
    return undefined;
  }
  if (rec?.id !== id || typeof rec.created_at !== "string" || typeof rec.content_hash !== "string" || typeof rec.trace !== "object" || rec.trace === null) return undefined;
  return { id, created_at: rec.created_at, content_hash: rec.content_hash, trace: JSON.stringify(rec.trace) };
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
 * @param apply - receives each committed batch of operations, in order, with the offset just after its commit line.
 */
export async function replaySegment(
  path: string,
  seg: number,
  from: number,
  last: boolean,
  apply: (ops: SegmentOp[], end: number) => void | Promise<void>,
): Promise<number> {
  let pending: SegmentOp[] = [];
  let committed = from;
  let bad: { no: number; reason: string } | undefined;
  // Line numbers count from `from` (the first line not already known from the sidecar).
  const where = (no: number | string): string => (from === 0 ? `line ${no}` : `line ${no} after byte ${from}`);
  const corrupt = (no: number, reason: string): TunixError => new TunixError("STORE_CORRUPT", `${path}: ${where(no)}: ${reason}`, { details: { path, line: no, from } });
  for await (const line of readLines(createReadStream(path, { start: from }))) {
    if (bad) {
      // Only the very last line can be torn; anything after a bad line means real damage.
      throw new TunixError("STORE_CORRUPT", `${path}: ${where(bad.no)}: ${bad.reason}, followed by more data`, { details: { path, line: bad.no, from } });
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
      committed = from + line.end;
      if (pending.length > 0) await apply(pending, committed);
      pending = [];
    } else if (typeof v.delete === "string") {
      pending.push({ del: v.delete, off, len });
    } else if (typeof v.id === "string" && typeof v.created_at === "string" && typeof v.content_hash === "string" && typeof v.trace === "object" && v.trace) {
      const t = v.trace as { trace_version?: unknown; meta?: Record<string, unknown> | null };
      const createdMs = Date.parse(v.created_at);
      if (checkTraceId(v.id) !== undefined) throw corrupt(line.no, `bad id ${JSON.stringify(v.id)}`);
      if (!Number.isFinite(createdMs) || new Date(createdMs).toISOString() !== v.created_at) throw corrupt(line.no, `bad created_at ${JSON.stringify(v.created_at)}`);
      if (typeof t.trace_version !== "string") throw corrupt(line.no, "trace without trace_version");
      if (!/^[0-9a-f]{64}$/.test(v.content_hash)) throw corrupt(line.no, `bad content_hash ${JSON.stringify(v.content_hash)}`);
      const hash = Buffer.from(v.content_hash, "hex");
      pending.push({ put: { id: v.id, createdMs, hash, traceVersion: t.trace_version, seg, off, len, idxOff: 0, idxLen: 0 }, metaJson: t.meta == null ? null : JSON.stringify(t.meta) });
    } else {
      bad = { no: line.no, reason: "not a record, delete or commit line" };
    }
  }
  const { size } = await stat(path);
  if (committed < size) {
    if (!last) throw new TunixError("STORE_CORRUPT", `${path}: ${where(bad?.no ?? "?")}: ${bad?.reason ?? "uncommitted data"} inside an older segment`, { details: { path } });
    // A crash mid-write left an uncommitted tail: cut it so the next batch starts on a clean line.
    await truncate(path, committed);
  }
  return committed;
}

/** Path of segment `n` in `segDir`. */
export const segmentPath = (segDir: string, n: number): string => join(segDir, segmentName(n));

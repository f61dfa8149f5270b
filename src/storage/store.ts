/**
 * The core every adapter sits behind: validation, ids, creation times, content hashes, cursors, streaming
 * and the closed state live here once, so adapters stay thin.
 */
import { TunixError, type Issue } from "../errors.js";
import type { ReasoningTrace } from "../schema/index.js";
import { encodeTrace } from "./encode.js";
import { fastParseTrace } from "./fast-trace.js";
import { uuidv7 } from "./uuid7.js";
import type { BulkInsert, PageRequest, PlainTraceRecord, TraceBackend, TraceRecord, TraceRow } from "./backend.js";
import { normalizeInstant, validateFilter, type TraceFilter } from "./filter.js";
import type {
  Direction,
  OrderBy,
  PutManyOptions,
  PutManyResult,
  PutOptions,
  QueryOptions,
  QueryResult,
  StoredTrace,
  StreamOptions,
  TraceStore,
} from "./types.js";

/** Longest caller id. */
export const MAX_TRACE_ID_CHARS = 256;
/** Largest query page / stream batch. */
export const MAX_PAGE_SIZE = 10_000;
const ID_PATTERN = /^[\x21-\x7e]+$/;

/** Why an id is not acceptable, or undefined when it is (printable ASCII without spaces, 1..256 chars). */
export function checkTraceId(id: unknown): string | undefined {
  if (typeof id !== "string") return `id must be a string, got ${typeof id}`;
  if (id.length === 0 || id.length > MAX_TRACE_ID_CHARS) return `id must have 1..${MAX_TRACE_ID_CHARS} characters`;
  if (!ID_PATTERN.test(id)) return "id must be printable ASCII without spaces";
  return undefined;
}


function encodeCursor(orderBy: OrderBy, direction: Direction, key: string, id: string): string {
  return Buffer.from(JSON.stringify(["c1", orderBy, direction, key, id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string, orderBy: OrderBy, direction: Direction): { key: string; id: string } {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 5 || parts[0] !== "c1" || typeof parts[3] !== "string" || typeof parts[4] !== "string") {
    throw new TunixError("INVALID_ARGUMENT", "cursor: not a cursor returned by query()");
  }
  if (parts[1] !== orderBy || parts[2] !== direction) {
    throw new TunixError("INVALID_ARGUMENT", `cursor: issued for orderBy=${parts[1]} direction=${parts[2]}, used with orderBy=${orderBy} direction=${direction}`);
  }
  return { key: parts[3], id: parts[4] };
}

function checkOrder(opts: { orderBy?: unknown; direction?: unknown }): { orderBy: OrderBy; direction: Direction } {
  const orderBy = opts.orderBy ?? "created_at";
  const direction = opts.direction ?? "asc";
  if (orderBy !== "created_at" && orderBy !== "id") throw new TunixError("INVALID_ARGUMENT", `orderBy: must be "created_at" or "id", got ${JSON.stringify(orderBy)}`);
  if (direction !== "asc" && direction !== "desc") throw new TunixError("INVALID_ARGUMENT", `direction: must be "asc" or "desc", got ${JSON.stringify(direction)}`);
  return { orderBy, direction };
}

function checkSize(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new TunixError("INVALID_ARGUMENT", `${name}: must be an integer in 1..${MAX_PAGE_SIZE}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function toStored(row: TraceRow): StoredTrace {
  const trace = (typeof row.body === "string" ? JSON.parse(row.body) : row.body) as ReasoningTrace;
  return { id: row.id, created_at: row.created_at, content_hash: row.content_hash, trace };
}

function keyOf(row: TraceRow, orderBy: OrderBy): string {
  return orderBy === "id" ? row.id : row.created_at;
}

/** Smallest putMany that goes through a backend's pipelined write ({@link TraceBackend.openBulkInsert}). */
export const BULK_MIN = 512;
/**
 * Inputs validated and encoded per hand-over in a pipelined putMany. Small, so each record's JSON texts
 * are packed by the backend and dropped before the next garbage collection would have to copy them; the
 * backend groups hand-overs into its own chunks.
 */
const BULK_RANGE = 128;

/**
 * Validation of one put/putMany call's inputs, fed in index ranges (all of them, in order): makes the
 * records of the valid inputs and collects the issues of the others, prefixed with the input index (or
 * none for `put`); {@link Preparer.finish} throws them all at once.
 */
class Preparer {
  /** Issues so far. */
  readonly issues: Issue[] = [];
  private readonly seenIds = new Map<string, number>();
  private conflict = false;
  private batchTime: string | undefined;

  constructor(
    private readonly traces: readonly unknown[],
    private readonly ids: readonly unknown[] | undefined,
    private readonly createdAts: readonly unknown[] | undefined,
    private readonly indexed: boolean,
    private readonly nextBatchTime: () => string,
  ) {
    const issues: Issue[] = [];
    if (ids !== undefined && ids.length !== traces.length) issues.push({ code: "invalid_argument", path: ["ids"], message: `ids has ${ids.length} entries for ${traces.length} traces` });
    if (createdAts !== undefined && createdAts.length !== traces.length) issues.push({ code: "invalid_argument", path: ["createdAts"], message: `createdAts has ${createdAts.length} entries for ${traces.length} traces` });
    if (issues.length > 0) throw new TunixError("INVALID_ARGUMENT", "putMany options do not match the traces", { issues });
  }

  /**
   * The records, validated traces and input indexes of the valid inputs in [from, to). With `plain`,
   * inputs already in the plain shape become {@link PlainTraceRecord}s (only their JSON text is made
   * here; the backend derives meta JSON and content hash).
   *
   * @param from - first input index.
   * @param to - end (exclusive).
   * @param plain - make plain records where possible.
   */
  range(from: number, to: number): Made<TraceRecord>;
  range(from: number, to: number, plain: boolean): Made<TraceRecord | PlainTraceRecord>;
  range(from: number, to: number, plain = false): Made<TraceRecord | PlainTraceRecord> {
    const { traces, ids, createdAts, issues } = this;
    const records: (TraceRecord | PlainTraceRecord)[] = [];
    const valid: ReasoningTrace[] = [];
    const index: number[] = [];
    const prefix = (i: number): (string | number)[] => (this.indexed ? [i] : []);
    for (let i = from; i < to; i++) {
      const input = traces[i];
      // fastParseTrace returns only plain-shape inputs uncopied (see plainTraceTexts).
      const asPlain = plain ? fastParseTrace(input) : undefined;
      const enc = asPlain !== undefined && asPlain === input ? undefined : encodeTrace(input);
      if (enc !== undefined && "issues" in enc) {
        for (const issue of enc.issues) issues.push({ ...issue, path: [...prefix(i), ...issue.path] });
        continue;
      }
      let id: string;
      if (ids?.[i] !== undefined) {
        const bad = checkTraceId(ids[i]);
        if (bad) {
          issues.push({ code: "invalid_id", path: [...prefix(i), "id"], message: bad });
          continue;
        }
        id = ids[i] as string;
      } else id = uuidv7();
      const first = this.seenIds.get(id);
      if (first !== undefined) {
        this.conflict = true;
        issues.push({ code: "duplicate_id", path: [...prefix(i), "id"], message: `id ${JSON.stringify(id)} also used at index ${first}` });
        continue;
      }
      // Generated ids are unique by construction; only callers' ids need the duplicate check.
      if (ids?.[i] !== undefined) this.seenIds.set(id, i);
      let created: string;
      if (createdAts?.[i] !== undefined) {
        const norm = normalizeInstant(createdAts[i]);
        if (norm === undefined) {
          issues.push({ code: "invalid_date", path: [...prefix(i), "createdAt"], message: `createdAt must be an ISO-8601 instant with a time zone, got ${JSON.stringify(createdAts[i])}` });
          continue;
        }
        created = norm;
      } else created = this.batchTime ??= this.nextBatchTime();
      if (enc === undefined) {
        const trace = asPlain!;
        records.push({ id, created_at: created, trace_version: trace.trace_version, body: JSON.stringify(trace) });
        valid.push(trace);
        index.push(i);
        continue;
      }
      const trace = enc.trace;
      records.push({
        id,
        created_at: created,
        content_hash: enc.contentHash,
        trace_version: trace.trace_version,
        meta: (trace.meta ?? null) as Record<string, unknown> | null,
        meta_json: enc.metaJson,
        body: enc.body,
      });
      valid.push(trace);
      index.push(i);
    }
    return { records, valid, index };
  }

  /** Throws the collected issues, if any. */
  finish(): void {
    const { issues } = this;
    if (issues.length === 0) return;
    const argCodes = ["duplicate_id", "invalid_id", "invalid_date"];
    const code = issues.some((x) => !argCodes.includes(x.code)) ? "TRACE_INVALID" : this.conflict && issues.every((x) => x.code === "duplicate_id") ? "STORE_CONFLICT" : "INVALID_ARGUMENT";
    throw new TunixError(code, this.indexed ? "putMany: nothing was stored" : "put: trace not stored", { issues });
  }
}

/** What {@link Preparer.range} makes: records with their validated traces and input indexes, index for index. */
interface Made<R> {
  records: R[];
  valid: ReasoningTrace[];
  index: number[];
}

/** A full record, not a plain one (plain records are made without a content hash). */
function isFullRecord(r: TraceRecord | PlainTraceRecord): r is TraceRecord {
  return "content_hash" in r;
}

/** Records chosen for writing, with their validated traces and input indexes, index for index. */
interface Chosen<R = TraceRecord> {
  records: R[];
  valid: ReasoningTrace[];
  index: number[];
  /** Inputs left out because their content came earlier in the same call. */
  repeated: number;
}

/**
 * The records of one putMany chunk that go to the backend: with `seen` (dedupe), only the first of each
 * content hash in the whole call — `seen` carries the hashes of earlier chunks.
 *
 * @param chunk - what {@link Preparer.range} made.
 * @param seen - content hashes already chosen in this call, or undefined without dedupe.
 */
function firstOfEachContent(chunk: Made<TraceRecord>, seen: Set<string> | undefined): Chosen {
  if (seen === undefined) return { ...chunk, repeated: 0 };
  const out: Chosen = { records: [], valid: [], index: [], repeated: 0 };
  chunk.records.forEach((r, k) => {
    if (seen.has(r.content_hash)) {
      out.repeated++;
      return;
    }
    seen.add(r.content_hash);
    out.records.push(r);
    out.valid.push(chunk.valid[k]!);
    out.index.push(chunk.index[k]!);
  });
  return out;
}

/**
 * The result entries of chosen records (filtered by what the backend wrote afterwards). Plain records
 * get their content hash once the backend has derived it.
 */
function storedEntries(chosen: Chosen<TraceRecord | PlainTraceRecord>): StoredTrace[] {
  return chosen.records.map((r, i) => ({ id: r.id, created_at: r.created_at, content_hash: isFullRecord(r) ? r.content_hash : "", trace: chosen.valid[i]! }));
}

/**
 * Hands records over in order: runs of full records through `add`, runs of plain ones through
 * `addPlain`; the position of each plain record (`first` + its index) is pushed to `plainAt`.
 */
async function handOver(bulk: BulkInsert, records: readonly (TraceRecord | PlainTraceRecord)[], first: number, plainAt: number[]): Promise<void> {
  for (let a = 0; a < records.length; ) {
    const full = isFullRecord(records[a]!);
    let b = a + 1;
    while (b < records.length && isFullRecord(records[b]!) === full) b++;
    if (!full) {
      for (let k = a; k < b; k++) plainAt.push(first + k);
      await bulk.addPlain!(records.slice(a, b) as PlainTraceRecord[]);
    } else await bulk.add(a === 0 && b === records.length ? (records as TraceRecord[]) : (records.slice(a, b) as TraceRecord[]));
    a = b;
  }
}

/**
 * Wraps a {@link TraceBackend} into a full {@link TraceStore}. Every built-in adapter is made this way;
 * a user's adapter can be too (then it only implements the backend seam).
 *
 * @param backend - the adapter.
 */
export function createTraceStore(backend: TraceBackend): TraceStore {
  let closed = false;
  let lastCreated = "";

  const ensureOpen = (): void => {
    if (closed) throw new TunixError("STORE_CLOSED", `${backend.kind} store is closed`);
  };

  /**
   * One creation time per write call, strictly later than the previous call's: traces stored later
   * always sort after earlier ones (in this process), so open cursors never see them out of order.
   */
  const nextBatchTime = (): string => {
    let ms = Date.now();
    const last = lastCreated === "" ? 0 : Date.parse(lastCreated);
    if (ms <= last) ms = last + 1;
    lastCreated = new Date(ms).toISOString();
    return lastCreated;
  };

  /**
   * Turns a backend's STORE_CONFLICT (with `details.ids`) into one naming the inputs' indexes.
   *
   * @param ids - the ids written, with `inputIndex` their input indexes (undefined for `put`).
   */
  const conflictError = (e: unknown, ids: readonly string[], inputIndex: readonly number[] | undefined): unknown => {
    if (!(e instanceof TunixError && e.code === "STORE_CONFLICT" && Array.isArray(e.details?.ids))) return e;
    const clash = new Set(e.details.ids as string[]);
    const issues: Issue[] = [];
    ids.forEach((id, i) => {
      if (clash.has(id)) issues.push({ code: "duplicate_id", path: inputIndex ? [inputIndex[i]!, "id"] : ["id"], message: `id ${JSON.stringify(id)} already exists in the store` });
    });
    return new TunixError("STORE_CONFLICT", inputIndex ? "putMany: nothing was stored" : "put: trace not stored", { issues, cause: e });
  };

  /**
   * A large putMany through the backend's pipelined write: chunks are validated, encoded and handed
   * over one after another (the backend writes chunk k while chunk k+1 is encoded). After the first
   * invalid input nothing more is handed over, but validation goes on so the error lists every issue.
   * Only what the result needs is kept per trace (not the JSON texts). Without dedupe, a backend with
   * spare capacity ({@link BulkInsert.wantsPlain}) may take chunks of plain-shape traces as JSON text
   * only and derive their meta JSON and content hashes itself.
   */
  const putManyBulk = async (bulk: BulkInsert, prep: Preparer, n: number, dedupe: boolean): Promise<PutManyResult> => {
    const seen = dedupe ? new Set<string>() : undefined;
    const plainOk = !dedupe && bulk.wantsPlain !== undefined && bulk.addPlain !== undefined && bulk.plainHashes !== undefined;
    // Only what the result needs is kept per record sent (not the records with their JSON texts).
    const out: StoredTrace[] = [];
    const index: number[] = [];
    /** Positions in `out` of plain records (their content hashes come from the backend). */
    const plainAt: number[] = [];
    let repeated = 0;
    try {
      for (let from = 0; from < n; from += BULK_RANGE) {
        const made = prep.range(from, Math.min(n, from + BULK_RANGE), plainOk && bulk.wantsPlain!());
        if (prep.issues.length > 0) continue;
        const chosen = seen === undefined ? { ...made, repeated: 0 } : firstOfEachContent(made as Made<TraceRecord>, seen);
        repeated += chosen.repeated;
        const first = out.length;
        for (const entry of storedEntries(chosen)) out.push(entry);
        for (const i of chosen.index) index.push(i);
        await handOver(bulk, chosen.records, first, plainAt);
      }
      prep.finish();
    } catch (e) {
      await bulk.abort();
      throw e;
    }
    let written: boolean[];
    try {
      written = await bulk.commit();
    } catch (e) {
      throw conflictError(e, out.map((o) => o.id), index);
    }
    if (plainAt.length > 0) {
      const hashes = bulk.plainHashes!();
      if (hashes.length !== plainAt.length) throw new TunixError("BACKEND_ERROR", `${backend.kind}: ${hashes.length} content hashes for ${plainAt.length} plain records`);
      plainAt.forEach((at, k) => (out[at]!.content_hash = hashes[k]!));
    }
    const stored = out.filter((_, i) => written[i]);
    return { stored, duplicates: repeated + out.length - stored.length };
  };

  const store: TraceStore = {
    kind: backend.kind,
    capabilities: backend.capabilities,

    async put(trace, opts: PutOptions = {}) {
      ensureOpen();
      const prep = new Preparer([trace], opts.id === undefined ? undefined : [opts.id], opts.createdAt === undefined ? undefined : [opts.createdAt], false, nextBatchTime);
      const [record] = prep.range(0, 1).records;
      prep.finish();
      try {
        await backend.insert([record!], { dedupe: false });
      } catch (e) {
        throw conflictError(e, [record!.id], undefined);
      }
      return { id: record!.id, created_at: record!.created_at, content_hash: record!.content_hash, trace: JSON.parse(record!.body) as ReasoningTrace };
    },

    async putMany(traces, opts: PutManyOptions = {}): Promise<PutManyResult> {
      ensureOpen();
      const list = Array.isArray(traces) ? (traces as unknown[]) : [...traces];
      const prep = new Preparer(list, opts.ids, opts.createdAts, true, nextBatchTime);
      const dedupe = opts.dedupe === true;
      const bulk = list.length >= BULK_MIN && backend.openBulkInsert !== undefined ? await backend.openBulkInsert({ dedupe }) : undefined;
      if (bulk !== undefined) return putManyBulk(bulk, prep, list.length, dedupe);
      const made = prep.range(0, list.length);
      prep.finish();
      const chosen = firstOfEachContent(made, dedupe ? new Set() : undefined);
      if (chosen.records.length === 0) return { stored: [], duplicates: chosen.repeated };
      let written: boolean[];
      try {
        written = await backend.insert(chosen.records, { dedupe });
      } catch (e) {
        throw conflictError(e, chosen.records.map((r) => r.id), chosen.index);
      }
      const stored = storedEntries(chosen).filter((_, i) => written[i]);
      return { stored, duplicates: chosen.repeated + chosen.records.length - stored.length };
    },

    async get(id) {
      ensureOpen();
      if (typeof id !== "string") throw new TunixError("INVALID_ARGUMENT", `id: must be a string, got ${typeof id}`);
      const rows = await backend.get([id]);
      const row = rows.find((r) => r.id === id);
      return row === undefined ? undefined : toStored(row);
    },

    async getMany(ids) {
      ensureOpen();
      if (!Array.isArray(ids) || ids.some((x) => typeof x !== "string")) throw new TunixError("INVALID_ARGUMENT", "ids: must be an array of strings");
      const byId = new Map<string, TraceRow>();
      for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) {
        for (const row of await backend.get(ids.slice(i, i + MAX_PAGE_SIZE))) byId.set(row.id, row);
      }
      return ids.map((id) => {
        const row = byId.get(id);
        return row === undefined ? undefined : toStored(row);
      });
    },

    async delete(id) {
      ensureOpen();
      if (typeof id !== "string") throw new TunixError("INVALID_ARGUMENT", `id: must be a string, got ${typeof id}`);
      return backend.delete(id);
    },

    async count(filter?: TraceFilter) {
      ensureOpen();
      return backend.count(filter === undefined ? undefined : validateFilter(filter));
    },

    async query(filter?: TraceFilter, opts: QueryOptions = {}): Promise<QueryResult> {
      ensureOpen();
      const valid = filter === undefined ? undefined : validateFilter(filter);
      const { orderBy, direction } = checkOrder(opts);
      const limit = checkSize("limit", opts.limit, 100);
      const after = opts.cursor == null ? null : decodeCursor(opts.cursor, orderBy, direction);
      const req: PageRequest = { filter: valid, orderBy, direction, after, limit: limit + 1 };
      const rows = await backend.page(req);
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return { items: page.map(toStored), nextCursor: more && last ? encodeCursor(orderBy, direction, keyOf(last, orderBy), last.id) : null };
    },

    stream(filter?: TraceFilter, opts: StreamOptions = {}): AsyncIterable<StoredTrace> {
      ensureOpen();
      const valid = filter === undefined ? undefined : validateFilter(filter);
      const { orderBy, direction } = checkOrder(opts);
      const batchSize = checkSize("batchSize", opts.batchSize, 500);
      return {
        async *[Symbol.asyncIterator]() {
          let after: { key: string; id: string } | null = null;
          for (;;) {
            ensureOpen();
            const rows = await backend.page({ filter: valid, orderBy, direction, after, limit: batchSize });
            for (const row of rows) yield toStored(row);
            const last = rows[rows.length - 1];
            if (rows.length < batchSize || last === undefined) return;
            after = { key: keyOf(last, orderBy), id: last.id };
          }
        },
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      await backend.close();
    },
  };
  return store;
}

/**
 * The seam between {@link createTraceStore} (validation, ids, hashing, cursors, batching) and an adapter
 * (maps records onto its backend and nothing else). Writing a new adapter = implementing
 * {@link TraceBackend}; the conformance suite then checks the resulting {@link TraceStore}.
 */
import type { TraceFilter } from "./filter.js";
import type { Direction, OrderBy, StoreCapabilities } from "./types.js";

/** A validated trace ready to write: bookkeeping, the fields filters read, and the trace's JSON text. */
export interface TraceRecord {
  /** Store id. */
  id: string;
  /** ISO-8601 UTC ms. */
  created_at: string;
  /** sha256 of the canonical trace JSON. */
  content_hash: string;
  /** `trace.trace_version`. */
  trace_version: string;
  /** `trace.meta` (null when absent). */
  meta: Record<string, unknown> | null;
  /** `JSON.stringify(meta)`, or null when `meta` is null: made once, for backends that store meta as JSON text. */
  meta_json: string | null;
  /** `JSON.stringify(trace)`: the exact key order of the input is kept. */
  body: string;
}

/** A row as a backend returns it; `body` may be the JSON text or an already parsed object. */
export interface TraceRow {
  /** Store id. */
  id: string;
  /** ISO-8601 UTC ms. */
  created_at: string;
  /** sha256 of the canonical trace JSON. */
  content_hash: string;
  /** The trace: JSON text or a parsed object (never shared with the backend's own state). */
  body: string | object;
}

/** One page request to a backend: `after` is the (key, id) of the previous page's last row. */
export interface PageRequest {
  /** A validated filter, or undefined for all. */
  filter: TraceFilter | undefined;
  /** Sort key; ties broken by id. */
  orderBy: OrderBy;
  /** Sort direction (applies to the tie-break too). */
  direction: Direction;
  /** Exclusive start position, or null for the first page. */
  after: { key: string; id: string } | null;
  /** Maximum rows. */
  limit: number;
}

/** What an adapter implements. Inputs are already validated by {@link createTraceStore}. */
export interface TraceBackend {
  /** Adapter name. */
  readonly kind: string;
  /** What the adapter can do. */
  readonly capabilities: StoreCapabilities;
  /**
   * Writes records atomically (all or none). With `dedupe`, records whose content_hash is already stored
   * are skipped; the result says, index for index, which were written. Throws `STORE_CONFLICT` with
   * `details.ids` when an id already exists.
   */
  insert(records: readonly TraceRecord[], opts: { dedupe: boolean }): Promise<boolean[]>;
  /** The rows with these ids that exist, in any order. */
  get(ids: readonly string[]): Promise<TraceRow[]>;
  /** Deletes one row; true when it existed. */
  delete(id: string): Promise<boolean>;
  /** Number of rows matching the filter. */
  count(filter: TraceFilter | undefined): Promise<number>;
  /** One page of rows in (orderBy, id) order strictly after `after`. */
  page(req: PageRequest): Promise<TraceRow[]>;
  /** Releases resources. Called once. */
  close(): Promise<void>;
  /**
   * Optional: a pipelined write for large batches. The core then hands the records over in chunks, in
   * order, while it validates and encodes the next ones, and ends with `commit` (or `abort` when some
   * input was invalid). The whole batch is one atomic write, as with {@link TraceBackend.insert}, and
   * writes of this backend are serialised behind it. Resolves to undefined when the backend cannot
   * pipeline this time (then the core calls `insert`).
   */
  openBulkInsert?(opts: { dedupe: boolean }): Promise<BulkInsert | undefined>;
}

/**
 * A validated trace in the plain shape handed over as its JSON text only ({@link BulkInsert.addPlain}):
 * the backend derives its meta JSON and content hash (as `plainTraceTexts` and sha256 would on the
 * caller's thread) — work a backend with a thread of its own can take off the caller's.
 */
export interface PlainTraceRecord {
  /** Store id. */
  id: string;
  /** ISO-8601 UTC ms. */
  created_at: string;
  /** `trace.trace_version`. */
  trace_version: string;
  /** `JSON.stringify(trace)`. */
  body: string;
}

/** A pipelined atomic write ({@link TraceBackend.openBulkInsert}). */
export interface BulkInsert {
  /** Queues records after the ones queued before; may wait for the backend to catch up (backpressure). */
  add(records: readonly TraceRecord[]): Promise<void>;
  /**
   * Optional, with {@link BulkInsert.addPlain}: whether the backend has spare capacity for the next
   * records as {@link PlainTraceRecord}s. Asked before every hand-over of a putMany without dedupe.
   */
  wantsPlain?(): boolean;
  /** Queues plain records, in order with those of `add`. */
  addPlain?(records: readonly PlainTraceRecord[]): Promise<void>;
  /**
   * Writes everything queued atomically; resolves, record for record over all `add` (and `addPlain`)
   * calls, to whether it was written (false: skipped by dedupe). Throws as {@link TraceBackend.insert}
   * does; then nothing is written.
   */
  commit(): Promise<boolean[]>;
  /** After a commit: the content hashes derived for the `addPlain` records, in order. */
  plainHashes?(): readonly string[];
  /** Discards everything queued. */
  abort(): Promise<void>;
}

/** A private copy of a record's meta (parsed from `meta_json`), so later changes to the caller's objects cannot reach a store. */
export function copyRecordMeta(r: TraceRecord): Record<string, unknown> | null {
  return r.meta_json === null ? null : (JSON.parse(r.meta_json) as Record<string, unknown>);
}

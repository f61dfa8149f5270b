/**
 * Storage interfaces. No driver types appear here: every adapter (memory, files, SQLite, PostgreSQL, a
 * user's own) is seen through {@link TraceStore} and {@link ArtifactStore} only.
 */
import type { ReasoningTrace } from "../schema/index.js";
import type { TraceFilter } from "./filter.js";

/** A trace as a store returns it: the validated trace plus the store's bookkeeping. */
export interface StoredTrace {
  /** Store id: a UUIDv7 by default (time-ordered: later traces get greater ids within a process), or the caller's id. */
  id: string;
  /** When the trace was stored: ISO-8601 UTC with millisecond precision (`2026-01-02T03:04:05.678Z`). */
  created_at: string;
  /** Hex sha256 of the canonical JSON (sorted keys) of `trace`; equal traces have equal hashes. */
  content_hash: string;
  /** The trace, exactly as validated (unknown keys kept). */
  trace: ReasoningTrace;
}

/** What a store can do that another may not. Only real differences; never a switch for correctness. */
export interface StoreCapabilities {
  /** Survives a process restart. */
  persistent: boolean;
  /** Filters are evaluated inside the backend (SQL), not by reading every record. */
  filterPushdown: boolean;
  /** Two processes may write to the same store at the same time. */
  concurrentWriters: boolean;
}

/** Options of {@link TraceStore.put}. */
export interface PutOptions {
  /** Caller-chosen id: 1..256 printable ASCII characters without spaces (so byte, JS and SQL order agree). Default: a new UUIDv7. */
  id?: string;
  /**
   * Caller-chosen creation time (any ISO-8601 instant, normalised to UTC ms). Default: now, one time per
   * put/putMany call and strictly later than the previous call's (so, within one process, traces stored
   * later always sort after earlier ones). For imports and tests; a time in the past breaks
   * the "new traces sort last" expectation of open cursors.
   */
  createdAt?: string;
}

/** Options of {@link TraceStore.putMany}. */
export interface PutManyOptions {
  /** Caller ids, index for index with the traces (same rules as {@link PutOptions.id}). */
  ids?: readonly string[];
  /** Caller creation times, index for index (same rules as {@link PutOptions.createdAt}). */
  createdAts?: readonly string[];
  /**
   * Skip traces whose `content_hash` is already in the store or earlier in the same batch, and count them
   * as `duplicates`. Default false: equal traces are stored twice under different ids.
   */
  dedupe?: boolean;
}

/** Result of {@link TraceStore.putMany}. */
export interface PutManyResult {
  /**
   * The stored traces, in input order (skipped duplicates left out). Each `trace` is the validated
   * value: the input object itself when it already had the schema's shape (keys in schema order), else
   * a copy that may share nested `meta` objects with the input. The store keeps its own copy either way.
   */
  stored: StoredTrace[];
  /** How many inputs were skipped as duplicates (only with `dedupe: true`). */
  duplicates: number;
}

/** Sort key of a query. Ties are always broken by `id` (same direction), so order is total. */
export type OrderBy = "created_at" | "id";
/** Sort direction. */
export type Direction = "asc" | "desc";

/** Options of {@link TraceStore.query}. */
export interface QueryOptions {
  /** Sort key; default `created_at`. */
  orderBy?: OrderBy;
  /** Default `asc`. */
  direction?: Direction;
  /** Page size, 1..10 000; default 100. */
  limit?: number;
  /**
   * `nextCursor` of the previous page. The cursor encodes (sort key, id) of the last item, so traces
   * stored after it was issued never cause duplicates or skips; a cursor from a different orderBy or
   * direction is rejected with `INVALID_ARGUMENT`.
   */
  cursor?: string | null;
}

/** A page of {@link TraceStore.query}. */
export interface QueryResult {
  /** The matching traces of this page, in order. */
  items: StoredTrace[];
  /** Cursor for the next page, or null when this page is the last one. */
  nextCursor: string | null;
}

/** Options of {@link TraceStore.stream}. */
export interface StreamOptions {
  /** Sort key; default `created_at`. */
  orderBy?: OrderBy;
  /** Default `asc`. */
  direction?: Direction;
  /** Traces fetched per backend round trip, 1..10 000; default 500. Memory stays O(batchSize). */
  batchSize?: number;
}

/**
 * A store of reasoning traces. All methods reject with a {@link TunixError}; after `close()` every
 * method rejects with `STORE_CLOSED`.
 */
export interface TraceStore {
  /** Adapter name: `memory`, `file`, `sqlite`, `postgres`, or a user's own. */
  readonly kind: string;
  /** What this adapter can do. */
  readonly capabilities: StoreCapabilities;
  /** Validates and stores one trace. `TRACE_INVALID` names the failing field; `STORE_CONFLICT` if the id exists. */
  put(trace: unknown, opts?: PutOptions): Promise<StoredTrace>;
  /**
   * Validates and stores many traces atomically: one invalid trace or id clash stores nothing, and the
   * error (`TRACE_INVALID` / `STORE_CONFLICT`) names every bad index (`[3].steps[0].content: ...`).
   */
  putMany(traces: Iterable<unknown>, opts?: PutManyOptions): Promise<PutManyResult>;
  /** The trace with this id, or `undefined` when there is none. */
  get(id: string): Promise<StoredTrace | undefined>;
  /** The traces with these ids, index for index; `undefined` where missing. */
  getMany(ids: readonly string[]): Promise<(StoredTrace | undefined)[]>;
  /** Deletes a trace; true when it existed. */
  delete(id: string): Promise<boolean>;
  /** Number of traces matching `filter` (all when absent). `FILTER_INVALID` on a bad filter. */
  count(filter?: TraceFilter): Promise<number>;
  /** One page of the traces matching `filter`, in a total, stable order (ties broken by id). */
  query(filter?: TraceFilter, opts?: QueryOptions): Promise<QueryResult>;
  /**
   * Every trace matching `filter`, in query order, fetched in batches (memory O(batchSize), never the whole
   * store). Traces stored while streaming appear when they sort after the current position.
   */
  stream(filter?: TraceFilter, opts?: StreamOptions): AsyncIterable<StoredTrace>;
  /** Releases connections, locks and handles. Idempotent. */
  close(): Promise<void>;
}

/** Metadata of one blob in an {@link ArtifactStore}. */
export interface ArtifactInfo {
  /** `sha256:<64 hex>` of the bytes. */
  key: string;
  /** Size in bytes. */
  size: number;
}

/**
 * Content-addressed blob store for manifests, checkpoints and reports: the key of a blob is the sha256
 * of its bytes, so writing the same bytes twice is a no-op and a key always means the same content.
 */
export interface ArtifactStore {
  /** Adapter name: `memory`, `dir`, or a user's own. */
  readonly kind: string;
  /** Stores bytes (or a stream of chunks) and returns their key; atomic (never a partial blob under a key). */
  put(data: Uint8Array | string | AsyncIterable<Uint8Array>): Promise<ArtifactInfo>;
  /** The bytes under `key`, or `undefined`. `INVALID_ARGUMENT` on a malformed key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** True when a blob with this key exists. */
  has(key: string): Promise<boolean>;
  /** Deletes a blob; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Every blob whose key starts with `prefix` (e.g. `sha256:ab`), sorted by key. */
  list(prefix?: string): AsyncIterable<ArtifactInfo>;
  /** Releases handles. Idempotent. */
  close(): Promise<void>;
}

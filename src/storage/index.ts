/**
 * Storage: one {@link TraceStore} interface with memory, file, SQLite and PostgreSQL adapters, a
 * JSON filter language evaluated inside each store, content-addressed {@link ArtifactStore}s, and
 * streamed JSONL ingest. SQLite and PostgreSQL live in the `tunix-rt/storage/sqlite` and
 * `tunix-rt/storage/postgres` entry points; the conformance suite in `tunix-rt/testing`.
 * @module
 */
export type {
  StoredTrace,
  StoreCapabilities,
  TraceStore,
  PutOptions,
  PutManyOptions,
  PutManyResult,
  OrderBy,
  Direction,
  QueryOptions,
  QueryResult,
  StreamOptions,
  ArtifactInfo,
  ArtifactStore,
} from "./types.js";
export {
  TraceFilterSchema,
  validateFilter,
  filterIssues,
  MAX_FILTER_IN,
  MAX_FILTER_DEPTH,
  MAX_META_PATH_SEGMENTS,
  type TraceFilter,
  type FilterScalar,
  type NumericRange,
  type TimeRange,
  type FilterTarget,
} from "./filter.js";
export { matchesFilter, compileFilter, type FilterPredicate } from "./filter-match.js";
export type { BulkInsert, PlainTraceRecord, TraceBackend, TraceRecord, TraceRow, PageRequest } from "./backend.js";
export { createTraceStore, checkTraceId, MAX_TRACE_ID_CHARS, MAX_PAGE_SIZE } from "./store.js";
export { fastParseTrace } from "./fast-trace.js";
export { encodePlainBody } from "./encode.js";
export { createMemoryStore } from "./memory.js";
export { createMemoryArtifactStore, openDirArtifactStore, checkArtifactKey } from "./artifacts.js";
export { createFileStore, type FileStoreOptions } from "./files.js";
export { ingestJsonl, type IngestOptions, type IngestReport } from "./ingest.js";
export { openStore, type OpenStoreOptions } from "./open.js";

/**
 * SQLite trace store (the embedded default): better-sqlite3, WAL, filters compiled to SQL with
 * json_extract, indexes on created_at and chosen meta keys, each putMany in one IMMEDIATE transaction.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { TunixError } from "../../errors.js";
import { checkIdentifier, checkIndexPaths, loadDriver } from "../sql/load-driver.js";
import { createTraceStore } from "../store.js";
import type { TraceStore } from "../types.js";
import { setupSqlite, sqliteBackend, wrapSqlite } from "./backend.js";

export { SQLITE_SCHEMA_VERSION } from "./backend.js";

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file (created when missing), or `:memory:`. */
  path: string;
  /** Table name; default `traces`. Several stores can share one file under different tables. */
  table?: string;
  /** Meta paths to index (e.g. `["category", "source"]`): equality, `in` and ranges on them use the index. */
  indexes?: string[];
  /** Milliseconds to wait for another process's write lock; default 10 000. */
  busyTimeoutMs?: number;
  /**
   * Run large putMany calls (from 512 traces) on two cores: this thread validates and encodes while a
   * writer thread (`worker_threads`, its own connection to the same file, one transaction per putMany)
   * writes the chunks already encoded — and, while it would otherwise wait, takes a share of the
   * encoding itself (plain-shape traces sent as JSON text; it derives meta JSON and content hash). The
   * thread checkpoints the WAL after answering a commit, and its connection keeps up to 64 MiB of page
   * cache during a large transaction. Default true; off for `:memory:`. Same results either way.
   */
  writerThread?: boolean;
}

/**
 * Opens (creating when needed) a SQLite trace store. Needs the optional `better-sqlite3` package;
 * without it this rejects with `DRIVER_MISSING`. Two processes may write to the same file (WAL + busy
 * timeout); each putMany is one transaction. Durability is SQLite's `synchronous = NORMAL` under WAL: a
 * committed putMany survives a process crash; a power loss may roll back the last commits, never corrupt.
 *
 * @param pathOrOptions - the database file, or {@link SqliteStoreOptions}.
 */
export async function createSqliteStore(pathOrOptions: string | SqliteStoreOptions): Promise<TraceStore> {
  const opts: SqliteStoreOptions = typeof pathOrOptions === "string" ? { path: pathOrOptions } : pathOrOptions;
  if (typeof opts?.path !== "string" || opts.path === "") throw new TunixError("INVALID_ARGUMENT", "path: must be a non-empty file path or \":memory:\"");
  const table = checkIdentifier("table", opts.table ?? "traces");
  const indexPaths = checkIndexPaths(opts.indexes);
  const Database = await loadDriver<typeof BetterSqlite3>("better-sqlite3", "createSqliteStore");
  const db = wrapSqlite("open", () => new Database(opts.path, { timeout: opts.busyTimeoutMs ?? 10_000 }));
  try {
    wrapSqlite("setup", () => setupSqlite(db, table, indexPaths));
    return createTraceStore(sqliteBackend(db, table, { writerThread: opts.writerThread, busyTimeoutMs: opts.busyTimeoutMs ?? 10_000 }));
  } catch (e) {
    db.close();
    throw e;
  }
}

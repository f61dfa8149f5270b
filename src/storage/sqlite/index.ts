/**
 * SQLite trace store (the embedded default): better-sqlite3, WAL, filters compiled to SQL with
 * json_extract, indexes on created_at and chosen meta keys, each putMany in one IMMEDIATE transaction.
 * @module
 */
import { createHash } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import { TunixError } from "../../errors.js";
import type { TraceBackend, TraceRecord, TraceRow } from "../backend.js";
import { pageClause, sqliteDialect, SqlParams, whereClause } from "../sql/dialect.js";
import { checkIdentifier, checkIndexPaths, loadDriver } from "../sql/load-driver.js";
import { createTraceStore } from "../store.js";
import type { TraceStore } from "../types.js";

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
}

/** Schema version written to `PRAGMA user_version` by this adapter. */
export const SQLITE_SCHEMA_VERSION = 1;

type Db = BetterSqlite3.Database;

function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TunixError) throw e;
    throw new TunixError("BACKEND_ERROR", `sqlite ${what} failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Opens (creating when needed) a SQLite trace store. Needs the optional `better-sqlite3` package;
 * without it this rejects with `DRIVER_MISSING`. Two processes may write to the same file (WAL + busy
 * timeout); each putMany is one transaction.
 *
 * @param pathOrOptions - the database file, or {@link SqliteStoreOptions}.
 */
export async function createSqliteStore(pathOrOptions: string | SqliteStoreOptions): Promise<TraceStore> {
  const opts: SqliteStoreOptions = typeof pathOrOptions === "string" ? { path: pathOrOptions } : pathOrOptions;
  if (typeof opts?.path !== "string" || opts.path === "") throw new TunixError("INVALID_ARGUMENT", "path: must be a non-empty file path or \":memory:\"");
  const table = checkIdentifier("table", opts.table ?? "traces");
  const indexPaths = checkIndexPaths(opts.indexes);
  const Database = await loadDriver<typeof BetterSqlite3>("better-sqlite3", "createSqliteStore");
  const db: Db = wrap("open", () => new Database(opts.path, { timeout: opts.busyTimeoutMs ?? 10_000 }));
  try {
    wrap("setup", () => {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
        id TEXT PRIMARY KEY NOT NULL,
        created_at TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        trace_version TEXT NOT NULL,
        meta TEXT,
        body TEXT NOT NULL
      )`);
      db.exec(`CREATE INDEX IF NOT EXISTS ${table}_created ON ${table} (created_at, id)`);
      db.exec(`CREATE INDEX IF NOT EXISTS ${table}_hash ON ${table} (content_hash)`);
      for (const path of indexPaths) {
        // (value, JSON type, created_at, id): an eq filter is answered in page order straight from the
        // index and count() never touches the rows (measured on 1M traces: first page 396 ms -> see bench).
        const name = `${table}_m_${createHash("sha256").update(`v2:${path.join(".")}`).digest("hex").slice(0, 12)}`;
        const expr = sqliteDialect.metaValue(path);
        db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${expr}, ${expr.replace("json_extract(", "json_type(")}, created_at, id)`);
      }
      if ((db.pragma("user_version", { simple: true }) as number) === 0) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
    });
  } catch (e) {
    db.close();
    throw e;
  }
  return createTraceStore(sqliteBackend(db, table));
}

function sqliteBackend(db: Db, table: string): TraceBackend {
  const cols = "id, created_at, content_hash, body";
  const insertStmt = db.prepare(`INSERT INTO ${table} (id, created_at, content_hash, trace_version, meta, body) VALUES (?, ?, ?, ?, ?, ?)`);
  const hasHash = db.prepare(`SELECT 1 FROM ${table} WHERE content_hash = ? LIMIT 1`).pluck();
  const existingIds = db.prepare(`SELECT id FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).pluck();
  const deleteStmt = db.prepare(`DELETE FROM ${table} WHERE id = ?`);
  const insertAll = db.transaction((records: readonly TraceRecord[], dedupe: boolean): boolean[] => {
    const clash = existingIds.all(JSON.stringify(records.map((r) => r.id))) as string[];
    const written = records.map((r) => !(dedupe && hasHash.get(r.content_hash) !== undefined));
    const clashing = records.filter((r, i) => written[i] && clash.includes(r.id)).map((r) => r.id);
    if (clashing.length > 0) throw new TunixError("STORE_CONFLICT", `ids already exist: ${clashing.join(", ")}`, { details: { ids: clashing } });
    records.forEach((r, i) => {
      if (written[i]) insertStmt.run(r.id, r.created_at, r.content_hash, r.trace_version, r.meta === null ? null : JSON.stringify(r.meta), r.body);
    });
    return written;
  });
  const all = (sql: string, p: SqlParams): TraceRow[] => db.prepare(sql).all(...p.values) as TraceRow[];
  return {
    kind: "sqlite",
    capabilities: { persistent: true, filterPushdown: true, concurrentWriters: true },
    async insert(records, { dedupe }) {
      return wrap("insert", () => insertAll.immediate(records, dedupe));
    },
    async get(ids) {
      if (ids.length === 0) return [];
      const p = new SqlParams(sqliteDialect.placeholder);
      return wrap("get", () => all(`SELECT ${cols} FROM ${table} WHERE id IN (SELECT value FROM json_each(${p.add(JSON.stringify(ids))}))`, p));
    },
    async delete(id) {
      return wrap("delete", () => deleteStmt.run(id).changes > 0);
    },
    async count(filter) {
      const p = new SqlParams(sqliteDialect.placeholder);
      const sql = `SELECT count(*) FROM ${table} ${whereClause(filter, sqliteDialect, p)}`;
      return wrap("count", () => db.prepare(sql).pluck().get(...p.values) as number);
    },
    async page(req) {
      const p = new SqlParams(sqliteDialect.placeholder);
      return wrap("query", () => all(`SELECT ${cols} FROM ${table} ${pageClause(req, sqliteDialect, p)}`, p));
    },
    async close() {
      // SQLite's advice for long-lived connections: refresh planner statistics before closing.
      wrap("optimize", () => db.pragma("optimize"));
      db.close();
    },
  };
}

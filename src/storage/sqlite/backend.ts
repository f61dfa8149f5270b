/**
 * The SQLite {@link TraceBackend}: connection setup (pragmas, table, indexes) and the statements behind
 * each operation. `createSqliteStore` wraps it; the storage bench drives it alone to measure the SQL layer.
 * @module
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { TunixError } from "../../errors.js";
import type { BulkInsert, TraceBackend, TraceRecord, TraceRow } from "../backend.js";
import { pageClause, sqliteDialect, SqlParams, whereClause } from "../sql/dialect.js";
import { connectionPragmas } from "./connection.js";
import { SqliteWriteStatements } from "./statements.js";
import { SqliteWriterThread } from "./writer.js";

type Db = BetterSqlite3.Database;

/** Schema version written to `PRAGMA user_version` by this adapter. */
export const SQLITE_SCHEMA_VERSION = 1;

/**
 * Page size of new database files. 8 KiB instead of SQLite's 4 KiB: fewer, shallower b-tree pages per
 * ~1 KB trace row (measured: the SQL part of a 100k-trace putMany 11.5 → 8.6 µs CPU per trace). Files
 * created before keep their page size.
 */
const PAGE_SIZE = 8192;


/**
 * Wraps a driver call: TunixErrors pass through, anything else becomes `BACKEND_ERROR`.
 *
 * @param what - the operation, for the message.
 * @param fn - the call.
 */
export function wrapSqlite<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TunixError) throw e;
    throw new TunixError("BACKEND_ERROR", `sqlite ${what} failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Configures a connection and creates the table and its indexes when missing. Durability: WAL with
 * `synchronous = NORMAL` — a committed putMany survives a crash of the process; a power loss or OS crash
 * may roll back the commits since the last checkpoint (at most 32 MiB of WAL, see connection.ts), and
 * never corrupts the file.
 *
 * @param db - an open connection.
 * @param table - a checked identifier.
 * @param indexPaths - checked meta paths to index.
 */
export function setupSqlite(db: Db, table: string, indexPaths: readonly string[][]): void {
  db.pragma(`page_size = ${PAGE_SIZE}`); // only takes effect on a new, empty file (before WAL is on)
  db.pragma("journal_mode = WAL");
  connectionPragmas(db);
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
}

/** Options of {@link sqliteBackend}. */
export interface SqliteBackendOptions {
  /**
   * Pipeline large putMany calls through a writer thread (see writer.ts); default true. Ignored (off)
   * for `:memory:` and read-only databases, which a second connection cannot share.
   */
  writerThread?: boolean;
  /** The writer thread's busy timeout (ms); default 10 000. */
  busyTimeoutMs?: number;
}

/**
 * The backend over a configured connection ({@link setupSqlite}); it owns `db` and closes it.
 *
 * @param db - the connection.
 * @param table - the table.
 * @param opts - writer thread settings.
 */
export function sqliteBackend(db: Db, table: string, opts: SqliteBackendOptions = {}): TraceBackend {
  const cols = "id, created_at, content_hash, body";
  const writes = new SqliteWriteStatements(db, table);
  const deleteStmt = db.prepare(`DELETE FROM ${table} WHERE id = ?`);
  // One IMMEDIATE transaction: the dedupe reads and the insert see the same store (no writer in between).
  const insertAll = db.transaction((records: readonly TraceRecord[], dedupe: boolean): boolean[] => Array.from(writes.insert(records, dedupe), (w) => w === 1));
  const all = (sql: string, p: SqlParams): TraceRow[] => db.prepare(sql).all(...p.values) as TraceRow[];

  // Writes of this process go one at a time: while the writer thread holds the write lock, a write on
  // this connection would block the event loop in SQLite's busy wait, and the thread's commit with it.
  let writeGate: Promise<void> = Promise.resolve();
  /** Waits for the writes queued before; resolves to the function that lets the next one go. */
  const acquireWrite = async (): Promise<() => void> => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const before = writeGate;
    writeGate = before.then(() => held);
    await before;
    return release;
  };
  const exclusive = async <T>(fn: () => T): Promise<T> => {
    const release = await acquireWrite();
    try {
      return fn();
    } finally {
      release();
    }
  };
  let thread: Promise<SqliteWriterThread | undefined> | undefined;
  const useThread = opts.writerThread !== false && !db.memory && !db.readonly;
  const dbPath = resolve(db.name); // now: a later process.chdir must not point the thread elsewhere
  const writerThread = (): Promise<SqliteWriterThread | undefined> =>
    (thread ??= SqliteWriterThread.start(dbPath, table, opts.busyTimeoutMs ?? 10_000).catch((e: unknown) => {
      // Same results without it, only slower: say so once, don't fail the write.
      process.emitWarning(`SQLite writer thread unavailable (${(e as Error).message}); large putMany calls run on one thread`, { code: "TUNIX_RT_SQLITE_WRITER" });
      return undefined;
    }));

  return {
    kind: "sqlite",
    capabilities: { persistent: true, filterPushdown: true, concurrentWriters: true },
    async insert(records, { dedupe }) {
      return exclusive(() => wrapSqlite("insert", () => insertAll.immediate(records, dedupe)));
    },
    async openBulkInsert({ dedupe }) {
      if (!useThread) return undefined;
      // Hold the write gate from now until the thread's transaction ends.
      const release = await acquireWrite();
      let session: BulkInsert | undefined;
      try {
        const t = await writerThread();
        if (t !== undefined) session = t.begin(dedupe, release);
      } finally {
        if (session === undefined) release();
      }
      return session;
    },
    async get(ids) {
      if (ids.length === 0) return [];
      const p = new SqlParams(sqliteDialect.placeholder);
      return wrapSqlite("get", () => all(`SELECT ${cols} FROM ${table} WHERE id IN (SELECT value FROM json_each(${p.add(JSON.stringify(ids))}))`, p));
    },
    async delete(id) {
      return exclusive(() => wrapSqlite("delete", () => deleteStmt.run(id).changes > 0));
    },
    async count(filter) {
      const p = new SqlParams(sqliteDialect.placeholder);
      const sql = `SELECT count(*) FROM ${table} ${whereClause(filter, sqliteDialect, p)}`;
      return wrapSqlite("count", () => db.prepare(sql).pluck().get(...p.values) as number);
    },
    async page(req) {
      const p = new SqlParams(sqliteDialect.placeholder);
      return wrapSqlite("query", () => all(`SELECT ${cols} FROM ${table} ${pageClause(req, sqliteDialect, p)}`, p));
    },
    async close() {
      await writeGate;
      const t = thread === undefined ? undefined : await thread;
      await t?.close();
      // SQLite's advice for long-lived connections: refresh planner statistics before closing.
      wrapSqlite("optimize", () => db.pragma("optimize"));
      db.close();
    },
  };
}

/**
 * PostgreSQL trace store: `pg`, `meta` as JSONB with filters compiled to SQL, each putMany in one
 * transaction using multi-row `INSERT ... SELECT FROM json_to_recordset($1)` (one JSON text per chunk of rows).
 * @module
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { TunixError } from "../../errors.js";
import type { BulkInsert, TraceBackend, TraceRecord, TraceRow } from "../backend.js";
import { pageClause, pgJsonText, postgresDialect, SqlParams, whereClause } from "../sql/dialect.js";
import { checkIdentifier, checkIndexPaths, loadDriver } from "../sql/load-driver.js";
import { createTraceStore } from "../store.js";
import type { TraceStore } from "../types.js";

/** Result of a statement, as `pg` returns it (only the fields the adapter reads). */
export interface PgResultLike {
  /** Result rows. */
  rows: unknown[];
  /** Rows affected. */
  rowCount: number | null;
}

/** A checked-out connection, as `pg.PoolClient` provides it. */
export interface PgClientLike {
  /** Runs one statement on this connection. */
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
  /** Returns the connection to the pool (an error argument discards it). */
  release(err?: Error | boolean): void;
}

/** The part of a `pg.Pool` the adapter uses (so a user's own pool, or a compatible one, can be passed). */
export interface PgPoolLike {
  /** Runs one statement on any pooled connection. */
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
  /** Checks out a connection for a transaction. */
  connect(): Promise<PgClientLike>;
  /** Closes the pool. Only called for pools the adapter created itself. */
  end(): Promise<void>;
}

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:port/db`; or pass `pool`. */
  url?: string;
  /** An existing pool (kept open on `close()`: its owner ends it). */
  pool?: PgPoolLike;
  /** Schema; default `public` (created when missing). */
  schema?: string;
  /** Table; default `tunix_traces`. */
  table?: string;
  /** Meta paths to index (btree on `meta -> ...`): eq, in and ranges on them use it. */
  indexes?: string[];
  /** Rows per INSERT statement inside a putMany transaction; default 2000. */
  insertChunk?: number;
}

// The formatted time must not be called created_at: ORDER BY would bind to that output column (text)
// instead of the indexed timestamptz column, turning every page into a full sort (3.5 s per page at 1M).
const SELECT_COLS = `id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_iso, content_hash, body::text AS body`;

function toRow(r: { id: string; created_iso: string; content_hash: string; body: string }): TraceRow {
  return { id: r.id, created_at: r.created_iso, content_hash: r.content_hash, body: r.body };
}

function isPool(v: unknown): v is PgPoolLike {
  return typeof v === "object" && v !== null && typeof (v as PgPoolLike).query === "function" && typeof (v as PgPoolLike).connect === "function";
}

function backendError(what: string, e: unknown, sql?: string): TunixError {
  if (e instanceof TunixError) return e;
  return new TunixError("BACKEND_ERROR", `postgres ${what} failed: ${(e as Error).message}`, { cause: e, details: sql ? { sql } : undefined });
}

/**
 * Opens a PostgreSQL trace store, creating its schema, table and indexes when missing. `pg` is an
 * optional peer dependency: without it (and without a `pool`) this rejects with `DRIVER_MISSING`.
 *
 * @param urlOrOptions - a connection URL, a `pg.Pool`, or {@link PostgresStoreOptions}.
 */
export async function createPostgresStore(urlOrOptions: string | PgPoolLike | PostgresStoreOptions): Promise<TraceStore> {
  const opts: PostgresStoreOptions = typeof urlOrOptions === "string" ? { url: urlOrOptions } : isPool(urlOrOptions) ? { pool: urlOrOptions } : urlOrOptions;
  const schema = checkIdentifier("schema", opts.schema ?? "public");
  const table = checkIdentifier("table", opts.table ?? "tunix_traces");
  const indexPaths = checkIndexPaths(opts.indexes);
  const chunk = opts.insertChunk ?? 2000;
  if (!Number.isInteger(chunk) || chunk < 1) throw new TunixError("INVALID_ARGUMENT", `insertChunk: must be a positive integer, got ${chunk}`);
  let pool: PgPoolLike;
  let ownPool = false;
  if (opts.pool !== undefined) {
    if (!isPool(opts.pool)) throw new TunixError("INVALID_ARGUMENT", "pool: must be a pg.Pool (with query and connect)");
    pool = opts.pool;
  } else {
    if (typeof opts.url !== "string" || opts.url === "") throw new TunixError("INVALID_ARGUMENT", "url: pass a postgres:// URL or a pool");
    const pg = await loadDriver<{ Pool: new (cfg: { connectionString: string; max?: number }) => unknown }>("pg", "createPostgresStore");
    const own = new pg.Pool({ connectionString: opts.url, max: 4 }) as PgPoolLike & { on(event: "error", fn: (e: Error) => void): void };
    // An idle connection dropped by the server must not crash the process; the next query reports it.
    own.on("error", () => undefined);
    pool = own;
    ownPool = true;
  }
  const qt = `"${schema}"."${table}"`;
  const ddl = [
    `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    `CREATE TABLE IF NOT EXISTS ${qt} (
      id text COLLATE "C" PRIMARY KEY,
      created_at timestamptz NOT NULL,
      content_hash text NOT NULL,
      trace_version text NOT NULL,
      meta jsonb,
      body json NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS "${table}_created" ON ${qt} (created_at, id)`,
    `CREATE INDEX IF NOT EXISTS "${table}_hash" ON ${qt} (content_hash)`,
    ...indexPaths.map((p) => {
      // (value, created_at, id): eq filters come out of the index already in page order.
      const name = `${table}_m_${createHash("sha256").update(`v2:${p.join(".")}`).digest("hex").slice(0, 12)}`;
      return `CREATE INDEX IF NOT EXISTS "${name}" ON ${qt} (${postgresDialect.metaValue(p)}, created_at, id)`;
    }),
  ];
  try {
    // Two processes creating the same table at once race in the catalog; an advisory lock serialises them.
    await inTransaction(pool, async (c) => {
      await c.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`tunix-rt:${schema}.${table}`]);
      for (const sql of ddl) await c.query(sql);
    });
  } catch (e) {
    if (ownPool) await pool.end().catch(() => undefined);
    throw backendError("setup", e);
  }
  return createTraceStore(postgresBackend(pool, ownPool, qt, `${schema}.${table}`, chunk));
}

type Client = PgClientLike;

/** Rolls back and returns the connection to the pool (discarding it when even the rollback fails). */
async function rollbackAndRelease(c: Client): Promise<void> {
  try {
    await c.query("ROLLBACK");
    c.release();
  } catch (rollbackError) {
    c.release(rollbackError as Error);
  }
}

async function inTransaction<T>(pool: PgPoolLike, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const out = await fn(c);
    await c.query("COMMIT");
    c.release();
    return out;
  } catch (e) {
    await rollbackAndRelease(c);
    throw e;
  }
}

/**
 * Records as one JSON array text for {@link insertStatement}: one parameter instead of six arrays, which
 * the driver would otherwise escape element by element (measured: most of the client's CPU per trace).
 * Meta is embedded as JSON (U+0000 mapped as everywhere for jsonb); the body as a JSON string, so its
 * text reaches the `json` column byte for byte.
 *
 * @param part - the rows.
 */
function recordsJson(part: readonly TraceRecord[]): string {
  const S = JSON.stringify;
  let s = "[";
  for (let i = 0; i < part.length; i++) {
    const r = part[i]!;
    const meta = r.meta_json === null ? "null" : pgJsonText(r.meta_json);
    s += `${i === 0 ? "" : ","}{"id":${S(r.id)},"created_at":${S(r.created_at)},"content_hash":${S(r.content_hash)},"trace_version":${S(r.trace_version)},"meta":${meta},"body":${S(r.body)}}`;
  }
  return s + "]";
}

/** Smallest batch written with COPY (when `pg-copy-streams` is installed). */
const COPY_MIN_ROWS = 256;

/** `pg-copy-streams`' `from`: a COPY FROM STDIN writable for `client.query`. */
type CopyFrom = (sql: string) => NodeJS.WritableStream & object;

let copyLoaded: Promise<CopyFrom | undefined> | undefined;

/** The optional `pg-copy-streams` package, or undefined when it is not installed (then INSERTs are used). */
function copyDriver(): Promise<CopyFrom | undefined> {
  copyLoaded ??= import("pg-copy-streams").then(
    (m: { from?: CopyFrom; default?: { from?: CopyFrom } }) => m.from ?? m.default?.from,
    () => undefined,
  );
  return copyLoaded;
}

/** A text-format COPY field: backslash, tab, newline and carriage return escaped (JSON text has only backslashes). */
function copyField(v: string): string {
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (ch) => (ch === "\\" ? "\\\\" : ch === "\t" ? "\\t" : ch === "\n" ? "\\n" : "\\r")) : v;
}

/** The COPY statement of the adapter's columns. */
function copySql(qt: string): string {
  return `COPY ${qt} (id, created_at, content_hash, trace_version, meta, body) FROM STDIN`;
}

/** Rows [from, to) as COPY text-format lines. */
function copyText(rows: readonly TraceRecord[], from: number, to: number): Buffer {
  let s = "";
  for (let k = from; k < to; k++) {
    const r = rows[k]!;
    const meta = r.meta_json === null ? "\\N" : copyField(pgJsonText(r.meta_json));
    s += `${copyField(r.id)}\t${r.created_at}\t${r.content_hash}\t${copyField(r.trace_version)}\t${meta}\t${copyField(r.body)}\n`;
  }
  return Buffer.from(s, "utf8");
}

/** Starts `COPY ... FROM STDIN` on a client (pg's Submittable query form). */
function startCopy(c: Client, copyFrom: CopyFrom, qt: string): NodeJS.WritableStream {
  return (c as unknown as { query(s: object): NodeJS.WritableStream }).query(copyFrom(copySql(qt)));
}

/**
 * Writes rows with `COPY ... FROM STDIN` (text format) inside the caller's transaction: measured ~2.5×
 * cheaper for the server than the json_to_recordset INSERT (15 vs 39 µs per row of the shipped shape).
 * Sent in chunks of `chunk` rows, with the stream's backpressure.
 */
async function copyRows(c: Client, copyFrom: CopyFrom, qt: string, rows: readonly TraceRecord[], chunk: number): Promise<void> {
  function* texts(): Generator<Buffer> {
    for (let i = 0; i < rows.length; i += chunk) yield copyText(rows, i, Math.min(rows.length, i + chunk));
  }
  await pipeline(Readable.from(texts()), startCopy(c, copyFrom, qt));
}

/**
 * A putMany streamed into one COPY inside one transaction ({@link TraceBackend.openBulkInsert}): the
 * server parses and inserts chunk k while this process encodes chunk k+1. Without dedupe only (dedupe
 * needs lookups, which cannot run on a connection in the middle of a COPY). A clashing id fails the
 * COPY; the clash is then looked up, as for `insert`.
 */
async function openCopySession(pool: PgPoolLike, copyFrom: CopyFrom, qt: string, insertError: (e: unknown, ids: string[]) => Promise<TunixError>): Promise<BulkInsert> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
  } catch (e) {
    c.release(e as Error);
    throw backendError("insert", e);
  }
  const stream = startCopy(c, copyFrom, qt);
  let failure: unknown;
  const done = finished(stream).catch((e: unknown) => {
    failure ??= e;
  });
  const ids: string[] = [];
  let ended = false;
  const end = async (commit: boolean): Promise<void> => {
    if (ended) return;
    ended = true;
    if (commit && failure === undefined) stream.end();
    else (stream as unknown as { destroy(): void }).destroy(); // CopyFail: the server drops what it got
    await done;
    try {
      if (!commit || failure !== undefined) return await rollbackAndRelease(c);
      await c.query("COMMIT");
      c.release();
    } catch (e) {
      failure ??= e;
      await rollbackAndRelease(c);
    }
  };
  return {
    async add(records) {
      if (failure !== undefined || records.length === 0) return;
      for (const r of records) ids.push(r.id);
      // A failed stream rejects the wait; the failure is reported by commit.
      if (!stream.write(copyText(records, 0, records.length))) await once(stream, "drain").catch(() => undefined);
    },
    async commit() {
      await end(true);
      if (failure !== undefined) throw await insertError(failure, ids);
      return ids.map(() => true);
    },
    async abort() {
      await end(false);
    },
  };
}

/** The multi-row INSERT over {@link recordsJson}'s text (`$1`). */
function insertStatement(qt: string): string {
  return `INSERT INTO ${qt} (id, created_at, content_hash, trace_version, meta, body)
    SELECT id, created_at, content_hash, trace_version, meta, body::json
    FROM json_to_recordset($1::json) AS x(id text, created_at timestamptz, content_hash text, trace_version text, meta jsonb, body text)`;
}

function postgresBackend(pool: PgPoolLike, ownPool: boolean, qt: string, lockName: string, chunk: number): TraceBackend {
  const insertSql = insertStatement(qt);
  const rows = async (what: string, sql: string, p: SqlParams): Promise<TraceRow[]> => {
    try {
      return ((await pool.query(sql, p.values)).rows as Parameters<typeof toRow>[0][]).map(toRow);
    } catch (e) {
      throw backendError(what, e, sql);
    }
  };
  const existing = async (c: Client | PgPoolLike, ids: string[]): Promise<string[]> =>
    ((await c.query(`SELECT id FROM ${qt} WHERE id = ANY($1::text[])`, [ids])).rows as { id: string }[]).map((r) => r.id);
  /**
   * The error a failed write stands for: a unique violation (an id another writer stored between our
   * check and our write, or one a COPY met) is STORE_CONFLICT naming the ids that exist now.
   */
  const insertError = async (e: unknown, ids: string[]): Promise<TunixError> => {
    if ((e as { code?: string }).code !== "23505") return backendError("insert", e);
    const clash = await existing(pool, ids).catch(() => [] as string[]);
    return new TunixError("STORE_CONFLICT", `ids already exist: ${clash.join(", ")}`, { cause: e, details: { ids: clash } });
  };

  return {
    kind: "postgres",
    capabilities: { persistent: true, filterPushdown: true, concurrentWriters: true },
    async insert(records: readonly TraceRecord[], { dedupe }) {
      try {
        return await inTransaction(pool, async (c) => {
          let written = records.map(() => true);
          if (dedupe) {
            // Serialise dedupe writers on this table so two processes cannot both insert the same content.
            await c.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`tunix-rt:dedupe:${lockName}`]);
            const have = new Set(
              ((await c.query(`SELECT DISTINCT content_hash FROM ${qt} WHERE content_hash = ANY($1::text[])`, [records.map((r) => r.content_hash)])).rows as { content_hash: string }[]).map(
                (r) => r.content_hash,
              ),
            );
            written = records.map((r) => !have.has(r.content_hash));
          }
          const keep = records.filter((_, i) => written[i]);
          const clash = await existing(c, keep.map((r) => r.id));
          if (clash.length > 0) throw new TunixError("STORE_CONFLICT", `ids already exist: ${clash.join(", ")}`, { details: { ids: clash } });
          const copy = keep.length >= COPY_MIN_ROWS ? await copyDriver() : undefined;
          if (copy !== undefined) await copyRows(c, copy, qt, keep, chunk);
          else {
            for (let i = 0; i < keep.length; i += chunk) {
              const part = keep.slice(i, i + chunk);
              await c.query(insertSql, [recordsJson(part)]);
            }
          }
          return written;
        });
      } catch (e) {
        throw await insertError(e, records.map((r) => r.id));
      }
    },
    async openBulkInsert({ dedupe }) {
      const copy = dedupe ? undefined : await copyDriver();
      return copy === undefined ? undefined : openCopySession(pool, copy, qt, insertError);
    },
    async get(ids) {
      if (ids.length === 0) return [];
      const p = new SqlParams(postgresDialect.placeholder);
      return rows("get", `SELECT ${SELECT_COLS} FROM ${qt} WHERE id = ANY(${p.add(ids)}::text[])`, p);
    },
    async delete(id) {
      try {
        return ((await pool.query(`DELETE FROM ${qt} WHERE id = $1`, [id])).rowCount ?? 0) > 0;
      } catch (e) {
        throw backendError("delete", e);
      }
    },
    async count(filter) {
      const p = new SqlParams(postgresDialect.placeholder);
      const sql = `SELECT count(*)::int AS n FROM ${qt} ${whereClause(filter, postgresDialect, p)}`;
      try {
        return ((await pool.query(sql, p.values)).rows[0] as { n: number }).n;
      } catch (e) {
        throw backendError("count", e, sql);
      }
    },
    async page(req) {
      const p = new SqlParams(postgresDialect.placeholder);
      return rows("query", `SELECT ${SELECT_COLS} FROM ${qt} ${pageClause(req, postgresDialect, p)}`, p);
    },
    async close() {
      if (ownPool) await pool.end();
    },
  };
}

/**
 * Entry point of a SQLite store's writer thread (a `worker_threads` worker with its own connection to
 * the same database file). It runs one transaction at a time: `begin`, any number of `rows` chunks,
 * then `commit` or `rollback`; every request gets exactly one reply, in order.
 *
 * Never imported by library code; `writer.ts` starts it by path (see `src/internal/worker-script.ts`).
 */
import type BetterSqlite3 from "better-sqlite3";
import { parentPort } from "node:worker_threads";
import { TunixError } from "../../errors.js";
import { loadDriver } from "../sql/load-driver.js";
import { connectionPragmas, WAL_CHECKPOINT_BYTES } from "./connection.js";
import { SqliteWriteStatements, type Derived } from "./statements.js";
import type { FromWriter, ToWriter, WriterFailure } from "./writer-protocol.js";

const port = parentPort;
if (port === null) throw new Error("writer-entry.ts must run in a worker thread");

let db: BetterSqlite3.Database | undefined;
/** Rows chunks of the open transaction inserted so far, shared with the main thread. */
let progress: Int32Array | undefined;
let writes: SqliteWriteStatements | undefined;
let dedupe = false;
/** The first failure of the open transaction (the transaction is then already rolled back). */
let failure: WriterFailure | undefined;
const written: Uint8Array[] = [];
/** What was derived for the plain rows of the open transaction. */
const derived: Derived = { hashes: [], chars: 0 };
/**
 * Page cache of the writer's connection (KiB; SQLite's default is 2 MiB). Index pages a large putMany
 * touches all over the file (content hashes are random) stay in memory for the whole transaction instead
 * of being spilled to the WAL and read back; released after each commit (`shrink_memory`). Measured:
 * 10 × putMany(100k) into one store 75–83k → 83–90k traces/s.
 */
const BULK_CACHE_KIB = 64 * 1024;

/** Row bytes committed since the last checkpoint (the WAL grows ~1.4× that, with the index pages). */
let sinceCheckpoint = 0;
/** Row bytes of the open transaction. */
let pending = 0;

/**
 * Checkpoints once about {@link WAL_CHECKPOINT_BYTES} of WAL have been committed since the last one: the
 * work SQLite's auto-checkpoint would do inside COMMIT (copying the WAL into the file, ~2 µs per trace),
 * done after the commit has been answered, while the caller goes on. PASSIVE: readers are never blocked.
 */
function checkpointIfDue(): void {
  if (sinceCheckpoint * 1.5 < WAL_CHECKPOINT_BYTES) return;
  sinceCheckpoint = 0;
  try {
    db!.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // A checkpoint that cannot run now (e.g. SQLITE_BUSY) is retried after the next commit.
  }
}

/** Forgets what the last transaction accumulated (done at begin, and once a transaction has ended). */
function clearTransaction(): void {
  failure = undefined;
  written.length = 0;
  derived.hashes.length = 0;
  derived.chars = 0;
  pending = 0;
}

function toFailure(e: unknown): WriterFailure {
  const err = e as Error & { code?: string; details?: { ids?: string[] } };
  if (e instanceof TunixError) return { code: e.code, message: e.message, driverCode: undefined, ids: err.details?.ids };
  return { code: undefined, message: err?.message ?? String(e), driverCode: typeof err?.code === "string" ? err.code : undefined, ids: undefined };
}

function rollback(): void {
  if (db?.inTransaction) db.exec("ROLLBACK");
}

function reply(msg: FromWriter): void {
  port!.postMessage(msg);
}

async function handle(msg: ToWriter): Promise<void> {
  switch (msg.type) {
    case "open": {
      const Database = await loadDriver<typeof BetterSqlite3>("better-sqlite3", "the SQLite writer thread");
      db = new Database(msg.path, { timeout: msg.busyTimeoutMs });
      // The store's connection already set WAL (a property of the file); this connection's own settings:
      connectionPragmas(db, false);
      db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
      writes = new SqliteWriteStatements(db, msg.table, true);
      progress = new Int32Array(msg.progress);
      return reply({ type: "opened" });
    }
    case "begin":
      dedupe = msg.dedupe;
      clearTransaction();
      try {
        db!.exec("BEGIN IMMEDIATE");
      } catch (e) {
        // Answered now and again at commit: the main thread does not wait for this reply (see writer.ts).
        failure = toFailure(e);
        return reply({ type: "failed", failure });
      }
      return reply({ type: "began" });
    case "rows":
      if (failure === undefined) {
        try {
          written.push(writes!.insertPacked(msg.rows, dedupe, derived));
          pending += msg.rows.bytes.length;
        } catch (e) {
          failure = toFailure(e);
          rollback();
        }
      }
      Atomics.store(progress!, 0, msg.seq + 1);
      return reply({ type: "ack", seq: msg.seq });
    case "commit": {
      if (failure !== undefined) return reply({ type: "failed", failure });
      try {
        db!.exec("COMMIT");
      } catch (e) {
        rollback();
        return reply({ type: "failed", failure: toFailure(e) });
      }
      // A copy, not a transfer: a small Buffer.concat result may sit in Node's shared pool.
      const all = Buffer.concat(written);
      // One string, not an array of them: one structured-clone entry instead of one per row.
      reply({ type: "committed", written: all, plainHashes: derived.hashes.join("") });
      sinceCheckpoint += pending + derived.chars;
      clearTransaction();
      db!.pragma("shrink_memory"); // the cache is for one large transaction: hand it back between them
      return checkpointIfDue();
    }
    case "rollback":
      rollback();
      clearTransaction();
      return reply({ type: "rolledBack" });
    case "close":
      rollback();
      db?.close();
      db = undefined;
      reply({ type: "closed" });
      port!.close();
      return;
  }
}

// Requests are handled strictly one after another (only `open` awaits anything).
let queue = Promise.resolve();
port.on("message", (msg: ToWriter) => {
  queue = queue.then(() => handle(msg)).catch((e: unknown) => {
    rollback();
    reply({ type: "failed", failure: toFailure(e) });
  });
});

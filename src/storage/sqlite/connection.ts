/**
 * Per-connection SQLite settings, shared by a store's own connection and its writer thread's (pragmas
 * such as the checkpoint threshold belong to a connection, not to the file).
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";

/**
 * WAL size (bytes) that triggers a checkpoint; SQLite's default is 1000 pages (4 MiB at 4 KiB). Random
 * ids and content hashes touch index pages all over the file, so a 1000-trace commit writes ~5 MB of WAL and
 * the default checkpointed (two fsyncs) after nearly every putMany; at 32 MiB the WAL absorbs several
 * batches and a page rewritten by many of them is copied back once (measured: 100 × putMany(1000) wall
 * time −40%).
 */
export const WAL_CHECKPOINT_BYTES = 32 * 2 ** 20;

/**
 * Durability and checkpointing of one connection: `synchronous = NORMAL` (under WAL a commit survives a
 * process crash) and a checkpoint every {@link WAL_CHECKPOINT_BYTES} of WAL — run by SQLite inside the
 * commit that crosses it, or, with `autoCheckpoint: false`, by the caller (the writer thread checkpoints
 * after it has answered the commit, so the caller of putMany does not wait for it).
 *
 * @param db - an open connection to a WAL database.
 * @param autoCheckpoint - let SQLite checkpoint on commit (default true).
 */
export function connectionPragmas(db: BetterSqlite3.Database, autoCheckpoint = true): void {
  db.pragma("synchronous = NORMAL");
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${autoCheckpoint ? Math.ceil(WAL_CHECKPOINT_BYTES / pageSize) : 0}`);
}

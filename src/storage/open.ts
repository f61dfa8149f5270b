/**
 * `openStore(uri)`: one string picks the adapter (for the CLI's `--store`). SQLite and PostgreSQL are
 * imported only when asked for, so their drivers stay optional.
 */
import { TunixError } from "../errors.js";
import { createFileStore } from "./files.js";
import { createMemoryStore } from "./memory.js";
import type { TraceStore } from "./types.js";

/** Adapter options passed through by {@link openStore}. */
export interface OpenStoreOptions {
  /** SQLite/PostgreSQL table name. */
  table?: string;
  /** PostgreSQL schema. */
  schema?: string;
  /** SQLite/PostgreSQL meta paths to index. */
  indexes?: string[];
}

/**
 * Opens a trace store from a URI:
 * - `memory:`: a new in-memory store;
 * - `file:<dir>`: {@link createFileStore};
 * - `sqlite:<path>` (or `sqlite::memory:`): `createSqliteStore` from `tunix-rt/storage/sqlite`;
 * - `postgres://...` / `postgresql://...`: `createPostgresStore` from `tunix-rt/storage/postgres`.
 *
 * @param uri - the store URI.
 * @param opts - table, schema and index options for SQL stores.
 * @throws `INVALID_ARGUMENT` for an unknown scheme, `DRIVER_MISSING` when the adapter's driver is not installed.
 */
export async function openStore(uri: string, opts: OpenStoreOptions = {}): Promise<TraceStore> {
  if (typeof uri !== "string") throw new TunixError("INVALID_ARGUMENT", `store URI must be a string, got ${typeof uri}`);
  if (uri === "memory:" || uri === "memory") return createMemoryStore();
  if (uri.startsWith("file:")) {
    const dir = uri.slice(5).replace(/^\/\/(?=\/)/, "");
    if (dir === "") throw new TunixError("INVALID_ARGUMENT", "file: store URI needs a directory, e.g. file:./traces");
    return createFileStore(dir);
  }
  if (uri.startsWith("sqlite:")) {
    const path = uri.slice(7).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new TunixError("INVALID_ARGUMENT", "sqlite: store URI needs a file, e.g. sqlite:./traces.db");
    const { createSqliteStore } = await import("./sqlite/index.js");
    return createSqliteStore({ path, ...(opts.table ? { table: opts.table } : {}), ...(opts.indexes ? { indexes: opts.indexes } : {}) });
  }
  if (/^postgres(ql)?:\/\//.test(uri)) {
    const { createPostgresStore } = await import("./postgres/index.js");
    return createPostgresStore({ url: uri, ...opts });
  }
  throw new TunixError("INVALID_ARGUMENT", `unknown store URI ${JSON.stringify(uri)}: use memory:, file:<dir>, sqlite:<path> or postgres://...`);
}

/**
 * Messages between a SQLite store and its writer thread ({@link ./writer.ts} ↔ `writer-entry.ts`).
 * Records travel as {@link PackedRows}: one UTF-8 buffer per chunk, transferred rather than copied.
 */

import type { PackedRows } from "./packed-rows.js";

/**
 * Main thread → writer. `open` shares `progress` (one Int32): the writer stores there the number of
 * `rows` chunks of the open transaction it has inserted, so the main thread can see its backlog without
 * returning to the event loop (replies are only delivered when it does).
 */
export type ToWriter =
  | { type: "open"; path: string; table: string; busyTimeoutMs: number; progress: SharedArrayBuffer }
  | { type: "begin"; dedupe: boolean }
  | { type: "rows"; seq: number; rows: PackedRows }
  | { type: "commit" }
  | { type: "rollback" }
  | { type: "close" };

/** A failure in the writer, with what the main thread needs to rebuild the error. */
export interface WriterFailure {
  /** The TunixError code, or undefined for a driver error. */
  readonly code: string | undefined;
  /** Message. */
  readonly message: string;
  /** The driver's error code (e.g. SQLITE_BUSY), when there was one. */
  readonly driverCode: string | undefined;
  /** `details.ids` of a STORE_CONFLICT. */
  readonly ids: string[] | undefined;
}

/** Writer → main thread. */
export type FromWriter =
  | { type: "opened" }
  | { type: "began" }
  | { type: "ack"; seq: number }
  | { type: "committed"; written: Uint8Array; plainHashes: string }
  | { type: "rolledBack" }
  | { type: "closed" }
  | { type: "failed"; failure: WriterFailure };

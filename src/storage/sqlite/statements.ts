/**
 * The write path shared by a SQLite store's own connection and its writer thread: multi-row inserts of
 * records (or packed rows), the dedupe lookup and the id-clash report.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { TunixError } from "../../errors.js";
import type { TraceRecord } from "../backend.js";
import { encodePlainBody } from "../encode.js";
import { PACKED_FIELDS, ROW_NULL_META, ROW_PLAIN, type PackedRows } from "./packed-rows.js";

type Db = BetterSqlite3.Database;

/** Rows per multi-row INSERT (6 parameters each, well under SQLite's 32 766 limit). */
const INSERT_ROWS = 50;

/**
 * Rows as the insert takes them: `n` rows whose six columns (id, created_at, content_hash,
 * trace_version, meta, body) {@link RowSource.bind} writes into a parameter array.
 */
interface RowSource {
  readonly n: number;
  /** Writes row i's six parameters at `params[o..o+6)`. */
  bind(i: number, params: unknown[], o: number): void;
  /** Row i's content hash parameter. */
  hash(i: number): unknown;
  /** Row i's id. */
  id(i: number): string;
}

/** Records (the store's own connection): their strings, bound as they are. */
function recordSource(records: readonly TraceRecord[]): RowSource {
  return {
    n: records.length,
    bind(i, p, o) {
      const r = records[i]!;
      p[o] = r.id;
      p[o + 1] = r.created_at;
      p[o + 2] = r.content_hash;
      p[o + 3] = r.trace_version;
      p[o + 4] = r.meta_json;
      p[o + 5] = r.body;
    },
    hash: (i) => records[i]!.content_hash,
    id: (i) => records[i]!.id,
  };
}

/** What the writer derived for plain rows: their content hashes in row order, and the text it added. */
export interface Derived {
  /** Content hashes, in row order. */
  readonly hashes: string[];
  /** UTF-16 length of the derived meta JSON and hashes (for the writer's WAL estimate). */
  chars: number;
}

/**
 * Packed rows (the writer thread): slices of one buffer, bound as blobs and cast to TEXT by SQL. Plain
 * rows get their meta JSON and content hash derived from the body here, recorded in `derived`.
 */
function packedSource(r: PackedRows, derived: Derived): RowSource {
  const { bytes, ends, kinds } = r;
  const slice = (k: number): Uint8Array => bytes.subarray(k === 0 ? 0 : ends[k - 1]!, ends[k]!);
  return {
    n: r.n,
    bind(i, p, o) {
      const k = i * PACKED_FIELDS;
      for (let j = 0; j < PACKED_FIELDS; j++) p[o + j] = slice(k + j);
      const kind = kinds[i];
      if (kind === ROW_NULL_META) p[o + 4] = null;
      else if (kind === ROW_PLAIN) {
        const body = slice(k + 5);
        const enc = encodePlainBody(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
        derived.hashes.push(enc.contentHash);
        derived.chars += enc.contentHash.length + (enc.metaJson?.length ?? 0);
        p[o + 2] = enc.contentHash;
        p[o + 4] = enc.metaJson;
      }
    },
    hash: (i) => slice(i * PACKED_FIELDS + 2),
    id: (i) => Buffer.from(slice(i * PACKED_FIELDS)).toString("utf8"),
  };
}

/**
 * The write statements of one connection: multi-row inserts and the dedupe and clash lookups. The
 * store's own connection takes records; its writer thread (writer.ts) takes
 * {@link PackedRows}, whose blobs SQL casts to TEXT (the same text values, without rebuilding strings).
 */
export class SqliteWriteStatements {
  private readonly insertOne: BetterSqlite3.Statement;
  private readonly insertMany: BetterSqlite3.Statement;
  private readonly hasHash: BetterSqlite3.Statement;
  private readonly existingIds: BetterSqlite3.Statement;
  private readonly params: unknown[] = new Array(INSERT_ROWS * 6);

  /**
   * @param db - a configured connection.
   * @param table - a checked identifier.
   * @param packed - the parameters are UTF-8 blobs ({@link insertPacked}) rather than strings.
   */
  constructor(db: Db, table: string, packed = false) {
    // OR ROLLBACK: a clashing id ends the whole transaction at once (putMany is all-or-nothing anyway), so
    // SQLite needs no statement journal for the multi-row statement (with the default ABORT it writes one,
    // which measured +60% CPU). The clashing ids are looked up only after such a failure.
    const v = packed ? "CAST(? AS TEXT)" : "?";
    const tuple = `(${Array(6).fill(v).join(", ")})`;
    const into = `INSERT OR ROLLBACK INTO ${table} (id, created_at, content_hash, trace_version, meta, body) VALUES`;
    this.insertOne = db.prepare(`${into} ${tuple}`);
    this.insertMany = db.prepare(`${into} ${Array(INSERT_ROWS).fill(tuple).join(", ")}`);
    this.hasHash = db.prepare(`SELECT 1 FROM ${table} WHERE content_hash = ${v} LIMIT 1`).pluck();
    this.existingIds = db.prepare(`SELECT id FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).pluck();
  }

  /**
   * Inserts records inside the caller's transaction. With `dedupe`, rows whose content hash is
   * already stored are skipped. Returns, row for row, 1 when written and 0 when skipped. A clashing id
   * rolls the transaction back and throws `STORE_CONFLICT` naming the clashing ids among these rows.
   *
   * @param records - the records.
   * @param dedupe - skip stored content.
   */
  insert(records: readonly TraceRecord[], dedupe: boolean): Uint8Array {
    return this.insertRows(recordSource(records), dedupe);
  }

  /**
   * {@link insert} for packed rows (statements made with `packed`). Plain rows ({@link ROW_PLAIN}) come
   * only without dedupe; the content hashes derived for them are pushed to `derived`.
   *
   * @param r - the rows.
   * @param dedupe - skip stored content.
   * @param derived - receives what was derived for the plain rows.
   */
  insertPacked(r: PackedRows, dedupe: boolean, derived: Derived): Uint8Array {
    return this.insertRows(packedSource(r, derived), dedupe);
  }

  private insertRows(src: RowSource, dedupe: boolean): Uint8Array {
    const n = src.n;
    const written = new Uint8Array(n).fill(1);
    let rows: number[] | undefined;
    if (dedupe) {
      rows = [];
      for (let i = 0; i < n; i++) {
        if (this.hasHash.get(src.hash(i)) !== undefined) written[i] = 0;
        else rows.push(i);
      }
    }
    const count = rows === undefined ? n : rows.length;
    const at = (k: number): number => (rows === undefined ? k : rows[k]!);
    try {
      let k = 0;
      const p = this.params;
      for (; k + INSERT_ROWS <= count; k += INSERT_ROWS) {
        for (let j = 0; j < INSERT_ROWS; j++) src.bind(at(k + j), p, j * 6);
        this.insertMany.run(p);
      }
      const one: unknown[] = new Array(6);
      for (; k < count; k++) {
        src.bind(at(k), one, 0);
        this.insertOne.run(one);
      }
    } catch (e) {
      if ((e as { code?: string }).code !== "SQLITE_CONSTRAINT_PRIMARYKEY") throw e;
      // OR ROLLBACK has already ended the transaction: the ids found now were there before this putMany.
      const tried: string[] = [];
      for (let k = 0; k < count; k++) tried.push(src.id(at(k)));
      const clash = this.existingIds.all(JSON.stringify(tried)) as string[];
      throw new TunixError("STORE_CONFLICT", `ids already exist: ${clash.join(", ")}`, { cause: e, details: { ids: clash } });
    }
    return written;
  }
}

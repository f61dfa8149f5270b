/**
 * A SQLite store's writer thread, seen from the store: large putMany calls hand their records over in
 * chunks while the main thread validates and encodes the next ones, so the two halves of an insert
 * (JavaScript: validation, JSON, hashing; SQLite: b-tree updates) run on two cores at once. Chunks are
 * packed into one UTF-8 buffer and transferred; while the thread would otherwise wait, it also takes a
 * share of the encoding (plain records: it derives meta JSON and content hash from the JSON text).
 *
 * The thread owns a second connection to the same file and runs the whole putMany as one IMMEDIATE
 * transaction, so all-or-nothing, dedupe against stored content and the id-clash error behave exactly
 * as on the store's own connection. It is started on the first large putMany and kept (unref'd) until
 * the store closes.
 */
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { TunixError, type ErrorCode } from "../../errors.js";
import { resolveWorkerScript, workerExecArgv, type WorkerEntry } from "../../internal/worker-script.js";
import type { BulkInsert, PlainTraceRecord, TraceRecord } from "../backend.js";
import { PackedRowsBuilder } from "./packed-rows.js";
import type { FromWriter, ToWriter, WriterFailure } from "./writer-protocol.js";

/** The writer entry (tsup entry `storage/sqlite/writer-worker`). */
const WRITER_ENTRY: WorkerEntry = { what: "sqlite writer", source: "writer-entry.ts", built: "storage/sqlite/writer-worker.js" };

/**
 * Chunks sent but not yet acknowledged before `add` waits: bounds the memory queued for the thread
 * (~3 MB of 256-row chunks) while absorbing its hiccups (measured: 4 → 16, putMany(100k) +4 %).
 */
const MAX_IN_FLIGHT = 16;
/** Rows packed before they are sent as one chunk. */
const CHUNK_ROWS = 256;
/**
 * Share of hand-overs taken as plain records ({@link BulkInsert.wantsPlain}): where it starts, its
 * bounds and its step. The thread then parses those traces' JSON and derives meta JSON and content hash
 * (~9 µs per trace there against ~4.5 µs saved here), which pays while the thread would otherwise wait
 * for this one: measured on 2 cores, putMany(100k) 102k → 114k traces/s at a fixed 3/8, slower at 1/2.
 * The share follows the thread's backlog: up while it has caught up, down while chunks queue (on one
 * core, or with a slow disk, it falls to 0 and the thread only inserts).
 */
const PLAIN_SHARE = { start: 0.3, max: 0.6, step: 0.05 };

/** The error a writer failure stands for. */
function failureError(f: WriterFailure): TunixError {
  if (f.code !== undefined) return new TunixError(f.code as ErrorCode, f.message, { details: f.ids === undefined ? undefined : { ids: f.ids } });
  return new TunixError("BACKEND_ERROR", `sqlite insert failed: ${f.message}`, { details: f.driverCode === undefined ? undefined : { driverCode: f.driverCode } });
}

/** One writer thread: requests are answered one by one, in order. */
export class SqliteWriterThread {
  private readonly waiters: ((msg: FromWriter) => void)[] = [];
  private dead: WriterFailure | undefined;

  /** Rows chunks of the open transaction the thread has inserted (see writer-protocol.ts). */
  readonly progress = new Int32Array(new SharedArrayBuffer(4));

  private constructor(private readonly worker: Worker) {
    worker.on("message", (msg: FromWriter) => this.waiters.shift()?.(msg));
    worker.on("error", (e) => this.die(e.message));
    worker.on("exit", (code) => this.die(`writer thread exited (code ${code})`));
  }

  /**
   * Starts a thread with its own connection to `path`.
   *
   * @param path - the database file (resolved against the current directory).
   * @param table - the table.
   * @param busyTimeoutMs - how long its connection waits for another writer's lock.
   */
  static async start(path: string, table: string, busyTimeoutMs: number): Promise<SqliteWriterThread> {
    const script = resolveWorkerScript(import.meta.url, WRITER_ENTRY);
    const worker = new Worker(script.path, { eval: script.evalCode, execArgv: workerExecArgv() });
    const thread = new SqliteWriterThread(worker); // ref'd until it has answered: the open is awaited
    try {
      await thread.expect({ type: "open", path: resolve(path), table, busyTimeoutMs, progress: thread.progress.buffer as SharedArrayBuffer }, "opened");
    } catch (e) {
      await worker.terminate();
      throw e;
    } finally {
      worker.unref(); // from now on only an open transaction keeps the process alive (see begin)
    }
    return thread;
  }

  private die(message: string): void {
    this.dead ??= { code: undefined, message, driverCode: undefined, ids: undefined };
    for (const w of this.waiters.splice(0)) w({ type: "failed", failure: this.dead });
  }

  /** Sends one request; resolves with its reply (a `failed` reply when the thread is gone). */
  request(msg: ToWriter, transfer?: ArrayBuffer[]): Promise<FromWriter> {
    if (this.dead !== undefined) return Promise.resolve({ type: "failed", failure: this.dead });
    return new Promise((resolveReply) => {
      this.waiters.push(resolveReply);
      this.worker.postMessage(msg, transfer);
    });
  }

  /** Sends one request and throws unless the reply is `type`. */
  async expect<T extends FromWriter["type"]>(msg: ToWriter, type: T): Promise<Extract<FromWriter, { type: T }>> {
    const reply = await this.request(msg);
    if (reply.type === "failed") throw failureError(reply.failure);
    if (reply.type !== type) throw new TunixError("BACKEND_ERROR", `sqlite writer: expected ${type}, got ${reply.type}`);
    return reply as Extract<FromWriter, { type: T }>;
  }

  /**
   * Begins a transaction on the thread. Only one may be open at a time (the store serialises writes).
   * The `begin` is not waited for: the thread may still be checkpointing after the previous commit, and
   * the caller can encode its first chunk meanwhile; a failed begin is reported by the commit.
   *
   * @param dedupe - skip records whose content is already stored.
   * @param done - called once the transaction has ended (committed, rolled back or failed).
   */
  begin(dedupe: boolean, done: () => void): BulkInsert {
    this.worker.ref(); // the caller awaits replies: keep the process alive until the transaction ends
    const end = (): void => {
      this.worker.unref();
      done();
    };
    Atomics.store(this.progress, 0, 0); // the previous transaction has ended: nothing of this one is done
    return new WriterSession(this, this.request({ type: "begin", dedupe }), end);
  }

  /** Ends the thread (rolling back an open transaction). */
  async close(): Promise<void> {
    this.worker.ref();
    if (this.dead === undefined) await this.request({ type: "close" });
    await this.worker.terminate();
  }
}

/** One putMany's transaction on the writer thread. */
class WriterSession implements BulkInsert {
  private readonly inFlight: Promise<FromWriter>[];
  private readonly packed = new PackedRowsBuilder();
  private seq = 0;
  private ended = false;
  private share = PLAIN_SHARE.start;
  /** Accumulates `share` per question; a whole unit answers yes (an even spread, no randomness). */
  private credit = 0;
  private hashes = "";

  /**
   * @param thread - the thread.
   * @param began - the reply to `begin` (a failure there fails the commit: the thread skips the rows).
   * @param end - called once when the transaction has ended.
   */
  constructor(
    private readonly thread: SqliteWriterThread,
    began: Promise<FromWriter>,
    private readonly end: () => void,
  ) {
    this.inFlight = [began];
  }

  async add(records: readonly TraceRecord[]): Promise<void> {
    this.packed.add(records);
    if (this.packed.rows >= CHUNK_ROWS) await this.send();
  }

  wantsPlain(): boolean {
    this.credit += this.share;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }

  async addPlain(records: readonly PlainTraceRecord[]): Promise<void> {
    this.packed.addPlain(records);
    if (this.packed.rows >= CHUNK_ROWS) await this.send();
  }

  plainHashes(): readonly string[] {
    const out: string[] = new Array(this.hashes.length / 64);
    for (let k = 0; k < out.length; k++) out[k] = this.hashes.slice(k * 64, k * 64 + 64);
    return out;
  }

  /** Sends the rows packed so far (transferred: moved to the thread, not copied). */
  private async send(): Promise<void> {
    if (this.packed.rows === 0) return;
    // The thread's backlog steers the plain share: idle → give it more, behind → less.
    const backlog = this.seq - Atomics.load(this.thread.progress, 0);
    if (backlog === 0) this.share = Math.min(PLAIN_SHARE.max, this.share + PLAIN_SHARE.step);
    else if (backlog >= 2) this.share = Math.max(0, this.share - PLAIN_SHARE.step);
    const rows = this.packed.take();
    const reply = this.thread.request({ type: "rows", seq: this.seq++, rows }, [rows.bytes.buffer as ArrayBuffer, rows.ends.buffer as ArrayBuffer, rows.kinds.buffer as ArrayBuffer]);
    this.inFlight.push(reply);
    if (this.inFlight.length > MAX_IN_FLIGHT) await this.inFlight.shift();
  }

  async commit(): Promise<boolean[]> {
    try {
      await this.send();
      await Promise.all(this.inFlight.splice(0));
      const { written, plainHashes } = await this.thread.expect({ type: "commit" }, "committed");
      this.hashes = plainHashes;
      return Array.from(written, (w) => w === 1);
    } finally {
      this.finish();
    }
  }

  async abort(): Promise<void> {
    try {
      await Promise.all(this.inFlight.splice(0));
      await this.thread.request({ type: "rollback" });
    } finally {
      this.finish();
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.end();
  }
}

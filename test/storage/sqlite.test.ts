import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { SqliteWriterThread } from "../../src/storage/sqlite/writer.js";
import { PackedRowsBuilder } from "../../src/storage/sqlite/packed-rows.js";
import { createSqliteStore } from "../../src/storage/sqlite/index.js";
import type { TraceStore } from "../../src/storage/index.js";
import { makeTrace } from "../../src/storage/conformance/index.js";
import { conformance, runChildWriter, tempDir } from "./conformance.js";

const root = tempDir("sqlite");
let n = 0;
const files = new WeakMap<TraceStore, string>();
const make = async (): Promise<TraceStore> => {
  const path = join(root, `s${n++}.db`);
  const s = await createSqliteStore({ path, indexes: ["category", "level"] });
  files.set(s, path);
  return s;
};

conformance("sqlite", make, {
  reopen: (s) => createSqliteStore(files.get(s)!),
  writeInChildProcess: (s, job) => runChildWriter(`sqlite:${files.get(s)!}`, job),
});

describe("sqlite adapter", () => {
  it("new files get 8 KiB pages; a file made with 4 KiB pages keeps them", async () => {
    const Database = (await import("better-sqlite3")).default;
    const fresh = join(root, "pages-new.db");
    await (await createSqliteStore(fresh)).close();
    const old = join(root, "pages-old.db");
    const raw = new Database(old);
    raw.pragma("journal_mode = WAL");
    raw.exec("CREATE TABLE other (x)");
    raw.close();
    const s = await createSqliteStore(old);
    await s.put(makeTrace(1));
    await s.close();
    for (const [path, size] of [[fresh, 8192], [old, 4096]] as const) {
      const db = new Database(path, { readonly: true });
      expect(db.pragma("page_size", { simple: true })).toBe(size);
      db.close();
    }
  });

  it("uses WAL, creates meta indexes, and the planner uses them", async () => {
    const path = join(root, "plan.db");
    const s = await createSqliteStore({ path, indexes: ["category", "a.b"] });
    await s.put(makeTrace(1, { category: "x" }));
    await s.close();
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'traces'").pluck().all() as string[]).sort();
    expect(names.filter((x) => x.startsWith("traces_m_")).length).toBe(2);
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM traces WHERE json_extract(meta, '$."category"') = ? AND json_type(meta, '$."category"') = 'text'`).all("x");
    expect(JSON.stringify(plan)).toMatch(/USING (COVERING )?INDEX traces_m_/);
    db.close();
  });

  it("several stores share one file under different tables", async () => {
    const path = join(root, "shared.db");
    const a = await createSqliteStore({ path, table: "a" });
    const b = await createSqliteStore({ path, table: "b" });
    await a.put(makeTrace(1));
    expect(await b.count()).toBe(0);
    await a.close();
    await b.close();
  });

  it("rejects bad options with INVALID_ARGUMENT", async () => {
    await expect(createSqliteStore({ path: join(root, "x.db"), table: "drop table" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(createSqliteStore({ path: join(root, "x.db"), indexes: ["a..b"] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(createSqliteStore("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("sqlite writer thread (large putMany on two cores)", () => {
  const traces = (n: number, from = 0): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => makeTrace(from + i, { n: from + i, category: i % 2 ? "a" : "b" }));

  // Text the packed (UTF-8 buffer) transfer must carry byte for byte: multi-byte and astral characters,
  // escapes, an empty meta, a null meta, an absent meta, unknown keys, a non-ASCII trace_version.
  const awkward = (i: number): Record<string, unknown> => {
    switch (i % 6) {
      case 0: return makeTrace(i, { category: "código", tag: "数学🙂", n: i });
      case 1: return makeTrace(i, null);
      case 2: return makeTrace(i);
      case 3: return makeTrace(i, {}, { extra: { "é": [1, "\u0000\n\"\\"] } });
      case 4: return { ...makeTrace(i, { n: i }), trace_version: "v½-🙂", prompt: `tab\tnl\ncr\r ${i} \u2028\u2029 ÿ` };
      default: return makeTrace(i, { category: i % 2 ? "a" : "b", n: i });
    }
  };

  it("writes a large putMany through the thread with the same rows as the store's own connection", async () => {
    const start = vi.spyOn(SqliteWriterThread, "start");
    // Some chunks go as plain records (JSON text only; the thread derives meta JSON and content hash).
    const plain = vi.spyOn(PackedRowsBuilder.prototype, "addPlain");
    const rows: unknown[][] = [];
    const types: unknown[][] = [];
    for (const writerThread of [true, false]) {
      const path = join(root, `thread-${writerThread}.db`);
      const s = await createSqliteStore({ path, writerThread });
      const input = [...traces(2500), ...Array.from({ length: 600 }, (_, i) => awkward(i))];
      const r = await s.putMany(input, { ids: input.map((_, i) => `t${i}`) });
      expect(r.stored.map((x) => x.id)).toEqual(input.map((_, i) => `t${i}`));
      expect(await s.count({ meta: "category", eq: "a" })).toBe(1250 + 100);
      expect(await s.count({ meta: "category", eq: "código" })).toBe(100);
      const back = await s.getMany(input.map((_, i) => `t${i}`));
      expect(back.map((x) => x?.trace)).toEqual(r.stored.map((x) => x.trace));
      expect(back.map((x) => x?.content_hash)).toEqual(r.stored.map((x) => x.content_hash));
      await s.close();
      const Database = (await import("better-sqlite3")).default;
      const db = new Database(path, { readonly: true });
      rows.push(db.prepare("SELECT id, created_at, content_hash, trace_version, meta, body FROM traces ORDER BY id").raw().all());
      types.push(db.prepare("SELECT DISTINCT typeof(id), typeof(created_at), typeof(content_hash), typeof(trace_version), typeof(meta), typeof(body) FROM traces").raw().all());
      db.close();
    }
    expect(start).toHaveBeenCalledTimes(1); // only the writerThread: true store started one
    start.mockRestore();
    expect(plain).toHaveBeenCalled();
    plain.mockRestore();
    // created_at differs (one per call): compare it by shape, the rest byte for byte
    const strip = (rs: unknown[]): unknown[] => rs.map((r) => (r as unknown[]).filter((_, j) => j !== 1));
    expect(strip(rows[0]!)).toEqual(strip(rows[1]!));
    // text, never blobs (the thread binds UTF-8 buffers and casts them), and SQL NULL for null/absent meta
    for (const t of types) expect(t.map((r) => (r as unknown[]).join(",")).sort()).toEqual(["text,text,text,text,null,text", "text,text,text,text,text,text"]);
  });

  it("caller ids and creation times reach the thread's plain records as they reach the store's connection", async () => {
    const rows: unknown[][] = [];
    const input = Array.from({ length: 2000 }, (_, i) => awkward(i));
    const createdAts = input.map((_, i) => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString());
    for (const writerThread of [true, false]) {
      const path = join(root, `thread-times-${writerThread}.db`);
      const s = await createSqliteStore({ path, writerThread });
      const r = await s.putMany(input, { ids: input.map((_, i) => `c${i}`), createdAts });
      expect(r.stored.map((x) => x.created_at)).toEqual(createdAts);
      await s.close();
      const Database = (await import("better-sqlite3")).default;
      const db = new Database(path, { readonly: true });
      rows.push(db.prepare("SELECT id, created_at, content_hash, trace_version, meta, body FROM traces ORDER BY id").raw().all());
      db.close();
    }
    expect(rows[0]).toEqual(rows[1]);
  });

  it("the thread checkpoints the WAL after answering a large commit, and a begin that cannot get the lock fails the putMany", async () => {
    const path = join(root, "thread-checkpoint.db");
    const s = await createSqliteStore({ path, busyTimeoutMs: 100 });
    const { statSync } = await import("node:fs");
    await s.putMany(traces(60_000)); // ~25 MB of rows, ~36 MB of WAL: over the checkpoint threshold
    await s.putMany(traces(1100, 60_000)); // queued behind the checkpoint
    // Checkpointed pages live in the database file itself, not only in the WAL.
    expect(statSync(path).size).toBeGreaterThan(10 * 2 ** 20);
    const Database = (await import("better-sqlite3")).default;
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    const err = await s.putMany(traces(2000, 70_000)).catch((e: unknown) => e);
    other.exec("ROLLBACK");
    other.close();
    expect(err).toMatchObject({ code: "BACKEND_ERROR", details: { driverCode: "SQLITE_BUSY" } });
    expect(await s.count()).toBe(61_100);
    expect((await s.putMany(traces(2000, 70_000))).stored.length).toBe(2000);
    await s.close();
  }, 60_000);

  it("other writes of the same process wait for a large putMany instead of deadlocking", async () => {
    const s = await createSqliteStore(join(root, "thread-gate.db"));
    const big = s.putMany(traces(3000));
    const small = s.put(makeTrace(-1));
    const del = small.then((x) => s.delete(x.id));
    const [b, , gone] = await Promise.all([big, small, del]);
    expect(b.stored.length).toBe(3000);
    expect(gone).toBe(true);
    expect(await s.count()).toBe(3000);
    // default ids: UUIDv7, in input order
    const ids = b.stored.map((x) => x.id);
    expect([...ids].sort()).toEqual(ids);
    await s.close();
  });

  it(":memory: stores and writerThread: false never start a thread", async () => {
    const start = vi.spyOn(SqliteWriterThread, "start");
    for (const s of [await createSqliteStore(":memory:"), await createSqliteStore({ path: join(root, "no-thread.db"), writerThread: false })]) {
      expect((await s.putMany(traces(1500))).stored.length).toBe(1500);
      await s.close();
    }
    expect(start).not.toHaveBeenCalled();
    start.mockRestore();
  });
});

describe("driver loading", () => {
  it("a missing driver package is DRIVER_MISSING naming what to install", async () => {
    const { loadDriver } = await import("../../src/storage/sql/load-driver.js");
    const err = await loadDriver("tunix-rt-no-such-driver", "createThingStore").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "DRIVER_MISSING", details: { package: "tunix-rt-no-such-driver" } });
    expect((err as Error).message).toBe('createThingStore needs the "tunix-rt-no-such-driver" package: npm install tunix-rt-no-such-driver');
  });
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
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

describe("driver loading", () => {
  it("a missing driver package is DRIVER_MISSING naming what to install", async () => {
    const { loadDriver } = await import("../../src/storage/sql/load-driver.js");
    const err = await loadDriver("tunix-rt-no-such-driver", "createThingStore").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "DRIVER_MISSING", details: { package: "tunix-rt-no-such-driver" } });
    expect((err as Error).message).toBe('createThingStore needs the "tunix-rt-no-such-driver" package: npm install tunix-rt-no-such-driver');
  });
});

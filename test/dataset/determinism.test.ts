import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildDataset } from "../../src/dataset/index.js";
import { createFileStore, createMemoryStore, type TraceStore } from "../../src/storage/index.js";
import { createSqliteStore } from "../../src/storage/sqlite/index.js";
import { createPostgresStore } from "../../src/storage/postgres/index.js";
import pg from "pg";

const { Client } = pg;
const PG_URL = process.env.TUNIX_RT_PG_URL;
if (!PG_URL) console.warn("!!! TUNIX_RT_PG_URL not set: PostgreSQL dataset determinism SKIPPED !!!");
import { fill } from "./fixtures.js";
import { REQUESTS } from "./requests.js";

const CHILD = fileURLToPath(new URL("./child-build.ts", import.meta.url));

function runChild(order: string, env: Record<string, string>): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, order], {
      env: { ...process.env, ...env },
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve(out.trim().split("\n").map((l) => JSON.parse(l) as unknown));
    });
  });
}

async function summary(store: TraceStore, batchSize: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const req of REQUESTS) {
    const m = await buildDataset(store, req, { batchSize });
    out.push({ ids: m.trace_ids, fingerprint: m.fingerprint, stats: m.stats, splits: m.splits ?? null });
  }
  return out;
}

describe("build determinism", () => {
  it("two child processes (different fill order, TZ, locale) give identical ids, order, stats and fingerprints", async () => {
    const [a, b] = await Promise.all([
      runChild("asc", { TZ: "UTC", LANG: "C" }),
      runChild("shuffled", { TZ: "Asia/Kolkata", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" }),
    ]);
    expect(a).toHaveLength(REQUESTS.length);
    expect(b).toEqual(a);
    const here = createMemoryStore();
    await fill(here, 400);
    expect(await summary(here, 1000)).toEqual(a);
  }, 60_000);

  it("memory, file and SQLite stores give identical results", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tunix-det-"));
    const mem = createMemoryStore();
    await fill(mem, 400);
    const file = await createFileStore(join(dir, "files"), { sync: false });
    await fill(file, 400, 1, "shuffled");
    const expected = await summary(mem, 1000);
    expect(await summary(file, 13)).toEqual(expected);
    await file.close();
    let sqlite: TraceStore | undefined;
    try {
      sqlite = await createSqliteStore(join(dir, "t.sqlite"));
    } catch (e) {
      if (process.env.CI) throw e;
      console.warn(`!!! better-sqlite3 unavailable, SQLite determinism SKIPPED: ${(e as Error).message}`);
    }
    if (sqlite !== undefined) {
      await fill(sqlite, 400, 1, "shuffled");
      expect(await summary(sqlite, 50)).toEqual(expected);
      await sqlite.close();
    }
  });

  it.skipIf(!PG_URL)("PostgreSQL gives the same results as memory", async () => {
    const mem = createMemoryStore();
    await fill(mem, 400);
    const table = `dataset_det_${process.pid}_${Date.now()}`;
    const pg = await createPostgresStore({ url: PG_URL!, table });
    try {
      await fill(pg, 400, 1, "shuffled");
      expect(await summary(pg, 64)).toEqual(await summary(mem, 1000));
    } finally {
      await pg.close();
      const client = new Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });
});

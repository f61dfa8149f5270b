import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/storage/index.js";
import { makeTrace } from "../../src/storage/conformance/index.js";
import { tempDir } from "./conformance.js";

const dir = tempDir("open");

describe("openStore", () => {
  it("opens memory:, file:, sqlite: by URI", async () => {
    for (const [uri, kind] of [
      ["memory:", "memory"],
      [`file:${join(dir, "f")}`, "file"],
      [`sqlite:${join(dir, "s.db")}`, "sqlite"],
      ["sqlite::memory:", "sqlite"],
    ] as const) {
      const s = await openStore(uri);
      expect(s.kind).toBe(kind);
      await s.put(makeTrace(1));
      expect(await s.count()).toBe(1);
      await s.close();
    }
  });

  it.skipIf(!process.env.TUNIX_RT_PG_URL)("opens postgres:// URLs", async () => {
    const schema = `tunix_open_${process.pid}`;
    const s = await openStore(process.env.TUNIX_RT_PG_URL!, { schema, table: "t" });
    expect(s.kind).toBe("postgres");
    await s.close();
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({ connectionString: process.env.TUNIX_RT_PG_URL });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it("rejects unknown schemes and empty paths with INVALID_ARGUMENT", async () => {
    await expect(openStore("mysql://x")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(openStore("file:")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(openStore("sqlite:")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

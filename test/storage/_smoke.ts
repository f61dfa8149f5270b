import { createSqliteStore } from "../../src/storage/sqlite/index.js";
import { createPostgresStore } from "../../src/storage/postgres/index.js";
import { createFileStore } from "../../src/storage/files.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const tr = (i: number) => ({ trace_version: "1.0", prompt: "p" + i, final_answer: "a", steps: [{ i: 0, type: "x", content: "c" }], meta: { k: i % 3, s: "v" + (i % 2), n: { x: i } } });
const d = mkdtempSync(join(tmpdir(), "st-"));
for (const mk of [() => createFileStore(join(d, "f")), () => createSqliteStore(join(d, "db.sqlite")), () => createPostgresStore({ url: process.env.TUNIX_RT_PG_URL!, schema: "smoke_" + process.pid })]) {
  const s = await mk();
  const r = await s.putMany([tr(1), tr(2), tr(3), tr(1)], { dedupe: true });
  console.log(s.kind, r.duplicates, r.stored.length, await s.count({ meta: "k", eq: 1 }), await s.count({ meta: "s", in: ["v1", 3] }), await s.count({ not: { meta: "n.x", gte: 2 } }));
  const p = await s.query(undefined, { limit: 2, direction: "desc" });
  const p2 = await s.query(undefined, { limit: 2, direction: "desc", cursor: p.nextCursor });
  console.log(p.items.map((x) => x.trace.prompt), p2.items.map((x) => x.trace.prompt), p2.nextCursor, p.items[0]!.created_at);
  try { await s.putMany([tr(5), tr(6)], { ids: ["x", r.stored[0]!.id] }); } catch (e) { console.log(String(e)); }
  const got = await s.get(r.stored[1]!.id); console.log(JSON.stringify(got?.trace) === JSON.stringify(tr(2)), await s.delete(r.stored[1]!.id), await s.count());
  await s.close();
}

// Insert throughput of bench/storage.ts, on the BUILT package (dist/) in plain `node`: what a user's
// process sees (under tsx every fresh SQLite store's writer thread spent ~0.3 s compiling its modules
// inside the measured putMany; from dist/ it starts in ~40 ms).
//
// Per adapter: putMany(100k) once and putMany(1000) x 100, each into a fresh store, RUNS times (median
// and range of wall rate; median CPU rate of this process: user + sys of all its threads). SQLite also
// gets "warm thread" rows (the store did one small large-batch putMany first, so its writer thread is up)
// with the CPU split between this thread and the writer thread (from /proc/self/task), and "sustained":
// 10 x putMany(100k) into one store (1M traces), which pays every WAL checkpoint of the run.
// Usage: node bench/storage-insert.mjs <dir> [pgUrl]; env BENCH_INSERT_RUNS (default 5).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createFileStore, createMemoryStore, createTraceStore } from "../dist/index.js";
import { createSqliteStore } from "../dist/storage/sqlite/index.js";

const [dir, pgUrl] = process.argv.slice(2);
const RUNS = Number(process.env.BENCH_INSERT_RUNS ?? 5);
const N = 100_000;
const HERE = fileURLToPath(new URL(".", import.meta.url));
const BASE = readFileSync(resolve(HERE, "../../shared/reference/tunix-rt/dev-reasoning-v2.dataset.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));
/** The shipped shape, every trace distinct (`meta.n`, `meta.shard` added). */
const traceAt = (i) => {
  const t = BASE[i % BASE.length];
  return { ...t, meta: { ...t.meta, n: i, shard: i % 1000 } };
};
let made = 0;
/** N fresh trace objects (new ones for every run, as a caller would build them). */
const batch = () => Array.from({ length: N }, () => traceAt(made++));

const fmt = (n) => Math.round(n).toLocaleString("en-US");
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** CPU ms of each thread of this process, by thread id. */
function threadCpu() {
  const out = new Map();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, clock ticks of 10 ms
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** Runs `fn` on fresh traces; wall and CPU seconds, and this thread's / the busiest other thread's CPU ms. */
async function measure(fn) {
  const traces = batch();
  const before = threadCpu();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn(traces);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const after = threadCpu();
  const main = (after.get(String(process.pid)) ?? 0) - (before.get(String(process.pid)) ?? 0);
  let other = 0;
  for (const [tid, ms] of after) if (tid !== String(process.pid)) other = Math.max(other, ms - (before.get(tid) ?? 0));
  return { wall, cpu: (c.user + c.system) / 1e6, main, other };
}

const SHAPES = [
  ["putMany(100k) x1", N],
  ["putMany(1000) x100", 1000],
];

function cell(ms) {
  const rates = ms.map((m) => N / m.wall);
  return `${fmt(median(rates)).padStart(8)} /s (${fmt(Math.min(...rates))}-${fmt(Math.max(...rates))}) ${fmt(median(ms.map((m) => N / m.cpu))).padStart(8)} /CPU-s`;
}

/** One line per adapter: both batch shapes, each run into a fresh store. */
async function row(name, open, { warm = false, split = false } = {}) {
  const cells = [];
  let splits = "";
  for (const [, size] of SHAPES) {
    const ms = [];
    for (let r = 0; r < RUNS; r++) {
      const store = await open();
      try {
        if (warm) await store.putMany(Array.from({ length: 2000 }, () => traceAt(made++)));
        ms.push(await measure(async (traces) => {
          for (let i = 0; i < traces.length; i += size) await store.putMany(traces.slice(i, i + size));
        }));
      } finally {
        await store.close();
      }
    }
    cells.push(cell(ms));
    if (split && size === N) splits = `  [putMany(100k) CPU per trace: this thread ${(median(ms.map((m) => m.main)) * 1000 / N).toFixed(1)} us, writer thread ${(median(ms.map((m) => m.other)) * 1000 / N).toFixed(1)} us]`;
  }
  console.log(`  ${name.padEnd(28)} ${cells.join("   ")}${splits}`);
}

/**
 * A backend that stores nothing: putMany through it is the core alone (validation, JSON texts, hashes,
 * ids), with large batches handed over in pipelined chunks as to the SQLite writer thread.
 */
const nullStore = () =>
  createTraceStore({
    kind: "null",
    capabilities: { persistent: false, filterPushdown: false, concurrentWriters: false },
    insert: async (records) => records.map(() => true),
    openBulkInsert: async () => {
      let n = 0;
      return { add: async (records) => void (n += records.length), commit: async () => new Array(n).fill(true), abort: async () => undefined };
    },
    get: async () => [],
    delete: async () => false,
    count: async () => 0,
    page: async () => [],
    close: async () => undefined,
  });

let n = 0;
console.log(`  ${"".padEnd(28)} ${SHAPES.map(([label]) => `${label}: median (range) wall, CPU`.padEnd(49)).join("   ")}`);
// JIT warm-up, so the first row is not charged for it
const warmup = nullStore();
for (let i = 0; i < 5; i++) await warmup.putMany(Array.from({ length: 2000 }, () => traceAt(made++)));
await row("core only (null store)", async () => nullStore());
await row("memory", async () => createMemoryStore());
await row("file (fsync per putMany)", () => createFileStore(join(dir, `files-${n++}`)));
await row("sqlite (fresh store)", () => createSqliteStore(join(dir, `ins-${n++}.db`)), { split: true });
await row("sqlite (warm writer thread)", () => createSqliteStore(join(dir, `ins-${n++}.db`)), { warm: true, split: true });
await row("sqlite, writer thread off", () => createSqliteStore({ path: join(dir, `ins-${n++}.db`), writerThread: false }), { split: true });
{
  const store = await createSqliteStore(join(dir, `sustained-${n++}.db`));
  const ms = [];
  for (let r = 0; r < 10; r++) ms.push(await measure((traces) => store.putMany(traces)));
  const t0 = process.hrtime.bigint();
  await store.close(); // waits for the writer thread's last checkpoint
  const closeS = Number(process.hrtime.bigint() - t0) / 1e9;
  const wall = ms.reduce((a, m) => a + m.wall, 0) + closeS;
  const cpu = ms.reduce((a, m) => a + m.cpu, 0);
  console.log(`  ${"sqlite sustained".padEnd(28)} 10 x putMany(100k) into one store: ${fmt((10 * N) / wall)} /s wall incl. close (${closeS.toFixed(2)} s), ${fmt((10 * N) / cpu)} /CPU-s; per call ${ms.map((m) => fmt(N / m.wall)).join(" ")}`);
}
if (pgUrl) {
  const { createPostgresStore } = await import("../dist/storage/postgres/index.js");
  const schema = `tunix_bench_${process.pid}`;
  await row("postgres", () => createPostgresStore({ url: pgUrl, schema, table: `ins_${n++}` }));
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
} else console.log("  postgres skipped (TUNIX_RT_PG_URL unset)");

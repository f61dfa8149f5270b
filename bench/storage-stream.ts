/**
 * Child of bench/storage.ts: opens a store URI in a fresh process (so its peak RSS is the job's alone),
 * runs one job and prints `{n, seconds, cpuSeconds, openSeconds, maxRssMb}` as its last line.
 *
 * Jobs: `stream` (every trace, batchSize 1000; n = traces), `open` (open + count(); n = count),
 * `queries` (open, count(), count and first page of a meta filter, a one-row meta lookup, 100 pages of
 * 1000 in created_at order by cursor, a first page in id order; n = items returned).
 */
import { openStore, type TraceStore } from "../src/storage/index.js";

const [uri, extra, job = "stream"] = process.argv.slice(2);

const jobs: Record<string, (store: TraceStore) => Promise<number>> = {
  async stream(store) {
    let n = 0;
    let chars = 0;
    for await (const s of store.stream(undefined, { batchSize: 1000 })) {
      n++;
      chars += s.trace.prompt.length;
    }
    return chars > 0 ? n : -1;
  },
  async open(store) {
    return store.count();
  },
  async queries(store) {
    let n = await store.count();
    n += await store.count({ meta: "category", eq: "edge_case" });
    n += (await store.query({ meta: "category", eq: "edge_case" }, { limit: 100 })).items.length;
    n += (await store.query({ meta: "n", eq: 777_777 }, { limit: 100 })).items.length;
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const r: { items: unknown[]; nextCursor: string | null } = await store.query(undefined, { limit: 1000, cursor });
      n += r.items.length;
      cursor = r.nextCursor;
    }
    n += (await store.query(undefined, { orderBy: "id", limit: 100 })).items.length;
    return n;
  },
};

const run = jobs[job];
if (!run) throw new Error(`unknown job ${job}: use ${Object.keys(jobs).join(", ")}`);
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const store = await openStore(uri!, JSON.parse(extra ?? "{}") as Record<string, string>);
const openSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const n = await run(store);
await store.close();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(c0);
console.log(JSON.stringify({ n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, openSeconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

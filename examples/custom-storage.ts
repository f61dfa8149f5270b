/**
 * A custom storage adapter: implement the small TraceBackend seam (insert / get / delete / count / page)
 * for your own database, and createTraceStore turns it into a full TraceStore (validation, ids, content
 * hashes, cursors, streaming). This one keeps rows in a Map, standing in for "whatever your service runs".
 * Run: `npx tsx examples/custom-storage.ts`. Check a real adapter with the conformance suite in
 * `tunix-rt/testing`.
 */
import {
  TunixError,
  buildDataset,
  createTraceStore,
  generateTraces,
  matchesFilter,
  type PageRequest,
  type TraceBackend,
  type TraceRecord,
  type TraceRow,
} from "../src/index.js";

function createMapBackend(): TraceBackend {
  const rows = new Map<string, TraceRecord>();
  const byHash = new Set<string>();
  const matches = (r: TraceRecord, filter: PageRequest["filter"]) =>
    matchesFilter(filter, { id: r.id, created_at: r.created_at, content_hash: r.content_hash, trace: { trace_version: r.trace_version, meta: r.meta } });
  return {
    kind: "map-example",
    capabilities: { persistent: false, filterPushdown: false, concurrentWriters: false },
    async insert(records, { dedupe }) {
      const clash = records.filter((r) => rows.has(r.id)).map((r) => r.id);
      if (clash.length > 0) throw new TunixError("STORE_CONFLICT", `ids already stored: ${clash.join(", ")}`, { details: { ids: clash } });
      return records.map((r) => {
        if (dedupe && byHash.has(r.content_hash)) return false;
        rows.set(r.id, r);
        byHash.add(r.content_hash);
        return true;
      });
    },
    async get(ids): Promise<TraceRow[]> {
      return ids.flatMap((id) => {
        const r = rows.get(id);
        return r ? [{ id: r.id, created_at: r.created_at, content_hash: r.content_hash, body: r.body }] : [];
      });
    },
    async delete(id) {
      return rows.delete(id);
    },
    async count(filter) {
      return [...rows.values()].filter((r) => matches(r, filter)).length;
    },
    async page({ filter, orderBy, direction, after, limit }) {
      const key = (r: TraceRecord) => (orderBy === "id" ? r.id : r.created_at);
      const sign = direction === "asc" ? 1 : -1;
      const cmp = (a: [string, string], b: [string, string]) => sign * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
      return [...rows.values()]
        .filter((r) => matches(r, filter))
        .filter((r) => after === null || cmp([key(r), r.id], [after.key, after.id]) > 0)
        .sort((a, b) => cmp([key(a), a.id], [key(b), b.id]))
        .slice(0, limit)
        .map((r) => ({ id: r.id, created_at: r.created_at, content_hash: r.content_hash, body: r.body }));
    },
    async close() {
      rows.clear();
    },
  };
}

const store = createTraceStore(createMapBackend());
const { stored } = await store.putMany(generateTraces({ mix: { logic: 1, string: 1 }, count: 50, seed: 1 }));
console.log(`stored ${stored.length} traces in a ${store.kind} store`);
console.log("logic traces:", await store.count({ meta: "category", eq: "logic" }));

// Invalid input is rejected by the wrapper before it reaches the backend, naming the field.
try {
  await store.put({ trace_version: "1.0", prompt: "", final_answer: "x", steps: [] });
} catch (e) {
  console.log("rejected:", (e as Error).message.split("\n").join(" | "));
}

// Everything else in the library works on top of it, e.g. a reproducible dataset.
const manifest = await buildDataset(store, { name: "custom", version: "v1", strategy: "random", seed: 3, limit: 10 });
console.log(`dataset ${manifest.dataset_key}: ${manifest.trace_ids.length} ids, fingerprint ${manifest.fingerprint}`);
await store.close();

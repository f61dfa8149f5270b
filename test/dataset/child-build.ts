// Child process of determinism.test.ts: fills a fresh store in a given order, builds the requests and
// prints {ids, fingerprint, stats} as JSON lines. Run with `node --import tsx`.
import { buildDataset } from "../../src/dataset/index.js";
import { createMemoryStore } from "../../src/storage/index.js";
import { fill } from "./fixtures.js";
import { REQUESTS } from "./requests.js";

const order = process.argv[2] === "shuffled" ? "shuffled" : "asc";
const store = createMemoryStore();
await fill(store, 400, 1, order);
for (const req of REQUESTS) {
  const m = await buildDataset(store, req, { batchSize: order === "shuffled" ? 37 : 1000 });
  process.stdout.write(`${JSON.stringify({ ids: m.trace_ids, fingerprint: m.fingerprint, stats: m.stats, splits: m.splits ?? null })}\n`);
}

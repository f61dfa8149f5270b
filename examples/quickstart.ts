/**
 * Quickstart: generate reasoning traces, store them, build a reproducible dataset with splits, export it
 * for training, and check that the shipped eval set is held out from it.
 * Run: `npx tsx examples/quickstart.ts` (in your own code, import from "tunix-rt").
 */
import {
  ARITHMETIC_TRAINING_MIX,
  buildDataset,
  checkContamination,
  createMemoryStore,
  exportDataset,
  generateTraces,
  loadEvalSet,
} from "../src/index.js";

// 1. Deterministic synthetic traces: same seed, same bytes, on any machine.
const traces = [...generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 500, seed: "quickstart" })];
console.log("a generated trace:", JSON.stringify(traces[0], null, 2));

// 2. Any TraceStore works the same way (memory here; files, SQLite and PostgreSQL via openStore(uri)).
const store = createMemoryStore();
await store.putMany(traces);

// 3. A frozen dataset: ids, order, splits and a fingerprint that a rebuild reproduces exactly.
const manifest = await buildDataset(store, {
  name: "quickstart",
  version: "v1",
  strategy: "random",
  seed: 42,
  splits: { train: 0.9, test: 0.1 },
});
console.log(`dataset ${manifest.dataset_key}: ${manifest.trace_count} traces, splits`, manifest.splits, "fingerprint", manifest.fingerprint);

// 4. Export the test split in the conversational format TRL and Tunix consume.
let shown = 0;
for await (const record of exportDataset(manifest, store, { format: "messages", split: "test" })) {
  if (shown++ < 1) console.log("an exported record:", JSON.stringify(record));
}

// 5. The shipped eval set shares no prompt with generated training data (held out by construction).
const evalSet = await loadEvalSet(new URL("../evalsets/arithmetic-v1.jsonl", import.meta.url));
const contamination = await checkContamination(evalSet, store);
console.log(`eval set ${evalSet.name}: ${evalSet.items.length} items, ${contamination.contaminated.length} found in the training data`);
if (contamination.contaminated.length !== 0) throw new Error("eval prompts leaked into the training data");
await store.close();

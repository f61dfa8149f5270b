// One measured step of bench/dataset.ts, in its own process, on the BUILT package (dist/): plain
// `node`, no TypeScript loader, so the peak RSS is what a user's process would see (tsx's off-thread
// loader adds ~40 MB to every process it runs). Prints one JSON line: { ms, cpuMs, count, rssKb, note? }.
// Usage: node bench/dataset-step.mjs <floor|load|build|export> <sqlite|file> <dir> <arg> <N> <LIMIT>
import { createReadStream, createWriteStream } from "node:fs";
import { join } from "node:path";
import { buildDataset, createFileStore, exportDataset, ingestJsonl, readDatasetManifest, writeJsonl, writeManifest } from "../dist/index.js";
import { createSqliteStore } from "../dist/storage/sqlite/index.js";

const [step, kind, dir, arg = "", nText, limitText] = process.argv.slice(2);
const N = Number(nText);
const LIMIT = Number(limitText);

/** The build requests by name (the same names bench/dataset.ts prints). */
const REQUESTS = {
  random: { name: "bench", version: "random", strategy: "random", seed: 42, limit: LIMIT },
  stratified: { name: "bench", version: "stratified", strategy: "stratified", seed: 42, limit: LIMIT, stratify: { by: "category" } },
  "random+dedupe+splits": { name: "bench", version: "dedupe", strategy: "random", seed: 42, limit: LIMIT, dedupe: true, splits: { train: 0.9, val: 0.1 } },
  "latest (all)": { name: "bench", version: "all", strategy: "latest" },
};

const now = () => Number(process.hrtime.bigint()) / 1e6;
const openStore = (k) => (k === "file" ? createFileStore(join(dir, "files"), { sync: false }) : createSqliteStore(join(dir, "traces.sqlite")));

const t0 = now();
const cpu0 = process.cpuUsage();
let count = 0;
let note;
if (step === "floor") {
  // The floor: read lines, JSON.parse + JSON.stringify each, write them out. No validation, no store.
  const out = createWriteStream(join(dir, "floor.out.jsonl"));
  let rest = "";
  let buf = "";
  for await (const chunk of createReadStream(join(dir, "traces.jsonl"), { encoding: "utf8", highWaterMark: 1 << 16 })) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop();
    for (const line of lines) {
      buf += `${JSON.stringify(JSON.parse(line))}\n`;
      count++;
    }
    if (buf.length > 65536) {
      const ok = out.write(buf);
      buf = "";
      if (!ok) await new Promise((r) => out.once("drain", () => r()));
    }
  }
  out.write(buf);
  await new Promise((r) => out.end(() => r()));
} else if (step === "load") {
  const store = await openStore(kind);
  const report = await ingestJsonl(store, join(dir, "traces.jsonl"), { batchSize: 5000 });
  count = report.stored;
  await store.close();
} else if (step === "build") {
  // `name` builds a compact manifest (the way to build big datasets); `name|plain` the string[] one.
  const [name, mode] = arg.split("|");
  const store = await openStore(kind);
  const options = { now: "2026-01-01T00:00:00Z" };
  const m = mode === "plain" ? await buildDataset(store, REQUESTS[name], options) : await buildDataset(store, REQUESTS[name], { ...options, compact: true });
  count = N;
  note = `${m.trace_count.toLocaleString("en-US")} selected, fp ${m.fingerprint.slice(0, 12)}`;
  if (name === "latest (all)" && mode !== "plain") await writeManifest(m, { dir: join(dir, `manifests-${kind}`), overwrite: true });
  await store.close();
} else if (step === "export") {
  // `format` reads the manifest compactly; `format|plain` as a DatasetManifest with string[] lists.
  const [format, mode] = arg.split("|");
  const store = await openStore(kind);
  const path = join(dir, `manifests-${kind}`, "bench-all.manifest.json");
  const m = mode === "plain" ? await readDatasetManifest(path) : await readDatasetManifest(path, { compact: true });
  const batch = process.env.BENCH_DATASET_EXPORT_BATCH;
  const ex = exportDataset(m, store, { format, ...(batch ? { batchSize: Number(batch) } : {}) });
  const r = await writeJsonl(ex, join(dir, `export-${kind}-${format}.jsonl`));
  count = r.lines;
  await store.close();
} else {
  throw new Error(`unknown step ${step}`);
}
const cpu = process.cpuUsage(cpu0);
const result = { ms: now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, count, rssKb: process.resourceUsage().maxRSS, ...(note ? { note } : {}) };
process.stdout.write(`${JSON.stringify(result)}\n`);

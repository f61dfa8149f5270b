/**
 * Dataset figures (issue 4): build (random, stratified, latest) and export (every format) over 1M traces
 * in the SQLite and file stores — wall time, CPU time, traces/s, peak RSS — against a floor: a
 * bare `JSON.parse` + `JSON.stringify` loop over the lines of the same traces file. Goals: export ≥ 50%
 * of the floor, RSS < 256 MB. On a shared machine compare the CPU-time column: wall time counts others'
 * load too.
 *
 * Builds and exports use compact manifests (`compact: true`: ids and content hashes packed, ~50 B per
 * trace); the "plain manifest" lines show the `string[]` form for comparison (its 1M-id manifest is
 * ~116 MB of JSON, ~400 MB as JS strings). Sampled builds keep about limit·(1 + ln(n/limit)) candidates in
 * columns (stratified: up to `limit` per stratum until the quotas are known); `latest (all)` keeps all.
 *
 * Every measured step runs in its own process (`node --import tsx bench/dataset.ts child ...`), so each
 * peak RSS is that step's own, including opening the store (and ~85 MB of tsx + modules).
 *
 * Traces have the shipped shape: the Python tunix-rt dev-reasoning-v2 traces, cycled, with `meta.n`
 * (unique) added so every trace is distinct. Env: BENCH_DATASET_N (default 1 000 000),
 * BENCH_DATASET_STORES (default `sqlite,file`; `sqlite` or `file` for one), BENCH_DATASET_HEAP_MB (run
 * each step with `--max-old-space-size`: shows the step fits in that heap; without it V8 grows lazily and
 * peak RSS counts uncollected garbage), BENCH_DATASET_EXPORT_BATCH (exportDataset's batchSize),
 * BENCH_DATASET_DIR (default a temp dir, removed afterwards unless BENCH_DATASET_KEEP=1; an existing dir
 * is reused: one marker for the traces file of N traces, one per store loaded from it).
 */
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDataset, exportDataset, writeJsonl, type DatasetRequestInput } from "../src/dataset/index.js";
import { readDatasetManifest, writeManifest } from "../src/manifest/index.js";
import { TRACE_FORMATS, type TraceFormat } from "../src/render/index.js";
import { createFileStore, ingestJsonl, type TraceStore } from "../src/storage/index.js";
import { createSqliteStore } from "../src/storage/sqlite/index.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const REF = resolve(HERE, "../../shared/reference/tunix-rt/dev-reasoning-v2.dataset.jsonl");
const N = Number(process.env.BENCH_DATASET_N ?? 1_000_000);
const LIMIT = Math.min(100_000, Math.floor(N / 10));
// The file store reads a batch's neighbouring records in one read (and serves later batches from that
// window) and keeps ~70 bytes of index per trace (~71 MB at 1M). Measured at 1M traces on 2 shared cores
// (same period as the floor): exports 239–261 MB peak RSS at 49–60% of the floor by CPU time; builds
// random 227–238, stratified 257–271, latest (all) 277–289 MB. Loading it first (ingestJsonl) takes ~40 s.
const STORES = (process.env.BENCH_DATASET_STORES ?? "sqlite,file").split(",").filter((s) => s === "file" || s === "sqlite");

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const mb = (kb: number): string => `${Math.round(kb / 1024)} MB`;
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

interface Figure {
  ms: number;
  /** CPU time (user + system) of the step's process, ms. */
  cpuMs: number;
  count: number;
  rssKb: number;
  note?: string;
}

async function openStore(kind: string, dir: string): Promise<TraceStore> {
  if (kind === "file") return createFileStore(join(dir, "files"), { sync: false });
  return createSqliteStore(join(dir, "traces.sqlite"));
}

const REQUESTS: Record<string, DatasetRequestInput> = {
  random: { name: "bench", version: "random", strategy: "random", seed: 42, limit: LIMIT },
  stratified: { name: "bench", version: "stratified", strategy: "stratified", seed: 42, limit: LIMIT, stratify: { by: "category" } },
  "random+dedupe+splits": {
    name: "bench", version: "dedupe", strategy: "random", seed: 42, limit: LIMIT, dedupe: true, splits: { train: 0.9, val: 0.1 },
  },
  "latest (all)": { name: "bench", version: "all", strategy: "latest" },
};

/** One measured step, in this (child) process. Prints one JSON Figure line. */
async function child(step: string, kind: string, dir: string, arg: string): Promise<void> {
  const t0 = now();
  const cpu0 = process.cpuUsage();
  let count = 0;
  let note: string | undefined;
  if (step === "floor") {
    // The floor: read lines, JSON.parse + JSON.stringify each, write them out. No validation, no store.
    const out = createWriteStream(join(dir, "floor.out.jsonl"));
    let rest = "";
    let buf = "";
    for await (const chunk of createReadStream(join(dir, "traces.jsonl"), { encoding: "utf8", highWaterMark: 1 << 16 })) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        buf += `${JSON.stringify(JSON.parse(line))}\n`;
        count++;
      }
      if (buf.length > 65536) {
        const ok = out.write(buf);
        buf = "";
        if (!ok) await new Promise<void>((r) => out.once("drain", () => r()));
      }
    }
    out.write(buf);
    await new Promise<void>((r) => out.end(() => r()));
  } else if (step === "load") {
    const store = await openStore(kind, dir);
    const report = await ingestJsonl(store, join(dir, "traces.jsonl"), { batchSize: 5000 });
    count = report.stored;
    await store.close();
  } else if (step === "build") {
    // `name` builds a compact manifest (the way to build big datasets); `name|plain` the string[] one.
    const [name, mode] = arg.split("|");
    const store = await openStore(kind, dir);
    const options = { now: "2026-01-01T00:00:00Z" };
    const m = mode === "plain" ? await buildDataset(store, REQUESTS[name!]!, options) : await buildDataset(store, REQUESTS[name!]!, { ...options, compact: true });
    count = N;
    note = `${fmt(m.trace_count)} selected, fp ${m.fingerprint!.slice(0, 12)}`;
    if (name === "latest (all)" && mode !== "plain") await writeManifest(m, { dir: join(dir, `manifests-${kind}`), overwrite: true });
    await store.close();
  } else if (step === "export") {
    // `format` reads the manifest compactly; `format|plain` as a DatasetManifest with string[] lists.
    const [format, mode] = arg.split("|");
    const store = await openStore(kind, dir);
    const path = join(dir, `manifests-${kind}`, "bench-all.manifest.json");
    const m = mode === "plain" ? await readDatasetManifest(path) : await readDatasetManifest(path, { compact: true });
    const batch = process.env.BENCH_DATASET_EXPORT_BATCH;
    const ex = exportDataset(m, store, { format: format as TraceFormat, ...(batch ? { batchSize: Number(batch) } : {}) });
    const r = await writeJsonl(ex, join(dir, `export-${kind}-${format}.jsonl`));
    count = r.lines;
    await store.close();
  }
  const cpu = process.cpuUsage(cpu0);
  const result: Figure = { ms: now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, count, rssKb: process.resourceUsage().maxRSS, ...(note ? { note } : {}) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function run(step: string, kind: string, dir: string, arg = ""): Figure | undefined {
  const heap = process.env.BENCH_DATASET_HEAP_MB;
  const flags = heap ? [`--max-old-space-size=${heap}`] : [];
  const r = spawnSync(process.execPath, [...flags, "--import", "tsx", SELF, "child", step, kind, dir, arg], { encoding: "utf8", env: process.env });
  if (r.status !== 0) {
    const oom = /heap out of memory|Allocation failed/i.test(r.stderr);
    console.log(`  ${step} ${kind} ${arg}: FAILED${oom ? ` (out of memory under --max-old-space-size=${heap})` : `: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Figure;
}

function line(label: string, f: Figure | undefined, extra = ""): void {
  if (f === undefined) return;
  const rate = (f.count / f.ms) * 1000;
  const cpuRate = (f.count / f.cpuMs) * 1000;
  console.log(
    `  ${label.padEnd(40)} ${(f.ms / 1000).toFixed(1).padStart(7)} s ${fmt(rate).padStart(10)} traces/s` +
      `  cpu ${(f.cpuMs / 1000).toFixed(1).padStart(6)} s ${fmt(cpuRate).padStart(10)} /cpu-s  peak RSS ${mb(f.rssKb).padStart(7)}${extra}${f.note ? `  (${f.note})` : ""}`,
  );
}

/** Throughput as a share of the floor's, by wall time and by CPU time (the fairer one on a loaded machine). */
function ofFloor(f: Figure, floor: Figure): string {
  const pct = (a: number, b: number): string => `${Math.round((f.count / a / (floor.count / b)) * 100)}%`;
  return `  ${pct(f.ms, floor.ms)} of floor (cpu: ${pct(f.cpuMs, floor.cpuMs)})`;
}

async function main(): Promise<void> {
  const dir = process.env.BENCH_DATASET_DIR ?? mkdtempSync(join(tmpdir(), "tunix-bench-dataset-"));
  mkdirSync(dir, { recursive: true });
  console.log(`dataset bench: ${fmt(N)} traces (dev-reasoning-v2 shape), limit ${fmt(LIMIT)} for sampled builds, data in ${dir}`);
  // Markers say what is there already: the traces file, then each store loaded from it (once).
  const ready = (what: string): string => join(dir, `ready-${N}${what}`);
  if (!existsSync(ready(""))) {
    const base = readFileSync(REF, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const out = createWriteStream(join(dir, "traces.jsonl"));
    let buf = "";
    for (let i = 0; i < N; i++) {
      const t = base[i % base.length]!;
      buf += `${JSON.stringify({ ...t, meta: { ...(t.meta as object), n: i } })}\n`;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await new Promise<void>((r) => out.once("drain", () => r()));
        buf = "";
      }
    }
    out.write(buf);
    await new Promise<void>((r) => out.end(() => r()));
    writeFileSync(ready(""), "");
  }
  for (const kind of STORES) {
    if (existsSync(ready(`-${kind}`))) continue;
    line(`load ${kind} (ingestJsonl, info)`, run("load", kind, dir));
    writeFileSync(ready(`-${kind}`), "");
  }
  const floor = run("floor", "", dir);
  if (floor === undefined) throw new Error("the floor step failed");
  line("floor: JSON.parse+stringify lines", floor);
  for (const kind of STORES) {
    console.log(` ${kind} store`);
    for (const name of Object.keys(REQUESTS)) line(`build ${name}`, run("build", kind, dir, name));
    line("build latest (all), plain manifest", run("build", kind, dir, "latest (all)|plain"));
    for (const format of TRACE_FORMATS) {
      const f = run("export", kind, dir, format);
      if (f !== undefined) line(`export ${format} (all ${fmt(N)})`, f, ofFloor(f, floor));
    }
    const plain = run("export", kind, dir, "trace|plain");
    if (plain !== undefined) line("export trace, plain manifest", plain, ofFloor(plain, floor));
  }
  if (process.env.BENCH_DATASET_DIR === undefined && process.env.BENCH_DATASET_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === "child") await child(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6] ?? "");
else await main();

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
 * Every measured step runs in its own process on the built package (`node bench/dataset-step.mjs ...`;
 * `npm run bench:dataset` builds first), so each peak RSS is that step's own, including opening the store
 * and ~45 MB of Node + modules, as in a user's process. (Run through tsx, each step would carry another
 * ~40 MB: its loader runs in a thread of its own.)
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
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TRACE_FORMATS } from "../src/render/index.js";
import { ensureBuilt } from "./built.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const STEP = fileURLToPath(new URL("./dataset-step.mjs", import.meta.url));
const REF = resolve(HERE, "../../shared/reference/tunix-rt/dev-reasoning-v2.dataset.jsonl");
const N = Number(process.env.BENCH_DATASET_N ?? 1_000_000);
const LIMIT = Math.min(100_000, Math.floor(N / 10));
// The file store reads a batch's neighbouring records in one read (and serves later batches from that
// window) and keeps ~70 bytes of index per trace (~71 MB at 1M). Measured at 1M traces on 2 shared cores,
// built package: exports 219–226 MB peak RSS at 53–93% of the floor by CPU time (the floor itself moved
// 10.5–11.7 s); builds 192–252 MB. SQLite: exports ~153 MB at 64–82%, builds ≤ 190 MB. Loading a store
// first (ingestJsonl) takes ~40–50 s.
const STORES = (process.env.BENCH_DATASET_STORES ?? "sqlite,file").split(",").filter((s) => s === "file" || s === "sqlite");

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const mb = (kb: number): string => `${Math.round(kb / 1024)} MB`;

interface Figure {
  ms: number;
  /** CPU time (user + system) of the step's process, ms. */
  cpuMs: number;
  count: number;
  rssKb: number;
  note?: string;
}

/** The build steps, by the names bench/dataset-step.mjs knows. */
const BUILDS = ["random", "stratified", "random+dedupe+splits", "latest (all)"];

function run(step: string, kind: string, dir: string, arg = ""): Figure | undefined {
  const heap = process.env.BENCH_DATASET_HEAP_MB;
  const flags = heap ? [`--max-old-space-size=${heap}`] : [];
  const r = spawnSync(process.execPath, [...flags, STEP, step, kind, dir, arg, String(N), String(LIMIT)], { encoding: "utf8", env: process.env });
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
  ensureBuilt("dataset bench");
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
    for (const name of BUILDS) line(`build ${name}`, run("build", kind, dir, name));
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

await main();

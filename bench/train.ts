/**
 * Trainer throughput bench: `npm run bench:train -- --shape small|medium [--workers N[,M…]]
 * [--backend wasm|cpu] [--attention default|xnn] [--steps N] [--warmup N] [--repeat N] [--torch] [--json]`.
 *
 * Each configuration runs in a fresh child process (clean peak RSS, no shared wasm heap) and prints one
 * line (JSON with `--json`): {shape, backend, workers, attention, tokens_per_s, gflops, peak_rss_mb,
 * ms_per_step, cpu_ms_per_step, …}. Timings are the median over `--steps` optimizer steps after
 * `--warmup` steps. `cpu_ms_per_step` is process CPU time (all threads) per step: on a shared machine it
 * is far less noisy than wall time. `load_avg` is the 1-minute load average at the end of the run.
 *
 * Reference shapes (issue 5): small D=128 L=2 H=4 T=64, medium D=256 L=4 H=8 T=128, byte vocabulary
 * (261), batch 16, AdamW. FLOPs/token = 6·Nmm + 12·L·T·D with Nmm = 12·L·D² + V·D
 * (notes/tfjs-training.md). `--workers 0` means in-process (no worker threads).
 *
 * `--torch` additionally runs bench/torch_reference.py with the same shape (skipped when python3 or
 * torch is missing) so the PyTorch figure comes from the same session.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runTrainBench, SHAPES, type BenchConfig } from "./train-run.js";

interface Args {
  shape: string[];
  workers: number[];
  backend: string;
  attention: string;
  steps: number;
  warmup: number;
  repeat: number;
  torch: boolean;
  json: boolean;
  single: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    shape: ["small"],
    workers: [0, 2],
    backend: "wasm",
    attention: "xnn",
    steps: 6,
    warmup: 2,
    repeat: 1,
    torch: false,
    json: false,
    single: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench:train: ${a} needs a value`);
      return v;
    };
    if (a === "--shape") args.shape = next().split(",");
    else if (a === "--workers") args.workers = next().split(",").map(Number);
    else if (a === "--backend") args.backend = next();
    else if (a === "--attention") args.attention = next();
    else if (a === "--steps") args.steps = Number(next());
    else if (a === "--warmup") args.warmup = Number(next());
    else if (a === "--repeat") args.repeat = Number(next());
    else if (a === "--torch") args.torch = true;
    else if (a === "--json") args.json = true;
    else if (a === "--single") args.single = true;
    else throw new Error(`bench:train: unknown argument ${a}`);
  }
  for (const s of args.shape) if (!(s in SHAPES)) throw new Error(`bench:train: --shape must be small|medium, got ${s}`);
  for (const w of args.workers) if (!Number.isInteger(w) || w < 0) throw new Error(`bench:train: --workers must be integers ≥ 0`);
  if (!["wasm", "cpu"].includes(args.backend)) throw new Error(`bench:train: --backend must be wasm|cpu`);
  return args;
}

function print(result: Record<string, unknown>, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  const r = result;
  console.log(
    `${String(r["shape"]).padEnd(6)} ${String(r["backend"]).padEnd(5)} workers=${String(r["workers"])} attn=${String(r["attention"] ?? "-")}` +
      `  ${String(r["tokens_per_s"]).padStart(6)} tok/s  ${String(r["gflops"]).padStart(5)} GFLOP/s  ${String(r["ms_per_step"])} ms/step` +
      `  cpu ${String(r["cpu_ms_per_step"] ?? "-")} ms/step  rss ${String(r["peak_rss_mb"])} MB  load ${String(r["load_avg"])}`,
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.single) {
    const config: BenchConfig = {
      shape: args.shape[0]!,
      workers: args.workers[0]!,
      backend: args.backend as "wasm" | "cpu",
      attention: args.attention,
      steps: args.steps,
      warmup: args.warmup,
    };
    const result = await runTrainBench(config);
    console.log(JSON.stringify(result));
    return;
  }
  const here = fileURLToPath(import.meta.url);
  for (let rep = 0; rep < args.repeat; rep++) {
    for (const shape of args.shape) {
      if (args.torch) runTorch(shape, args.json, args.steps, args.warmup);
      for (const workers of args.workers) {
        const child = spawnSync(
          process.execPath,
          [
            ...process.execArgv,
            here,
            "--single",
            "--shape",
            shape,
            "--workers",
            String(workers),
            "--backend",
            args.backend,
            "--attention",
            args.attention,
            "--steps",
            String(args.steps),
            "--warmup",
            String(args.warmup),
          ],
          { encoding: "utf8", maxBuffer: 1 << 24 },
        );
        const line = child.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
        if (child.status !== 0 || line === undefined) {
          print({ shape, backend: args.backend, workers, error: (child.stderr || child.stdout).trim().split("\n").slice(-5).join(" | ") }, true);
          continue;
        }
        print(JSON.parse(line) as Record<string, unknown>, args.json);
      }
    }
  }
}

/**
 * PyTorch on the same shape with 1 and 2 threads (one line each). One thread also pins OpenBLAS to one
 * thread: with 2 threads torch's OpenMP barriers are very sensitive to other load on a 2-core machine
 * (measured 13 000 → 1 200 tokens/s at load ~3), so the 1-thread line is the robust reference.
 */
function runTorch(shape: string, json: boolean, steps: number, warmup: number): void {
  for (const threads of [1, 2]) runTorchThreads(shape, json, steps, warmup, threads);
}

function runTorchThreads(shape: string, json: boolean, steps: number, warmup: number, threads: number): void {
  const script = join(dirname(fileURLToPath(import.meta.url)), "torch_reference.py");
  const s = SHAPES[shape]!;
  const argv = [script, "--d", String(s.d), "--l", String(s.l), "--h", String(s.h), "--t", String(s.t), "--b", String(s.b), "--v", String(s.v)];
  argv.push("--steps", String(steps), "--warmup", String(warmup), "--threads", String(threads));
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  // `python3` may be a pyenv shim without Debian's python3-torch; fall back to the system interpreter.
  let child = spawnSync("python3", argv, { encoding: "utf8", env });
  if (child.status !== 0) child = spawnSync("/usr/bin/python3", argv, { encoding: "utf8", env });
  const line = (child.stdout ?? "").trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (child.status !== 0 || line === undefined) {
    print({ shape, backend: "torch", workers: 0, skipped: (child.stderr || "python3 not found").trim().split("\n").pop() }, true);
    return;
  }
  const r = JSON.parse(line) as Record<string, unknown>;
  print({ shape, ...r, load_avg: Number(loadavg()[0]!.toFixed(2)) }, json);
}

await main();

#!/usr/bin/env node
// Packaging test: `npm pack`, check the tarball's file list, install it into a fresh temp project and
// load every public entry point with both `import` and `require`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "tunix-rt-pack-"));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
};

try {
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], root))[0];
  const files = packed.files.map((f) => f.path);
  check(files.includes("README.md") && files.includes("LICENSE") && files.includes("CHANGELOG.md"), "tarball holds README, LICENSE, CHANGELOG");
  check(files.some((f) => f === "dist/index.js") && files.some((f) => f === "dist/index.cjs"), "tarball holds ESM and CJS builds");
  check(files.some((f) => f.endsWith(".d.ts")) && files.some((f) => f.endsWith(".d.cts")), "tarball holds .d.ts and .d.cts");
  // Besides the builds: the native addon's sources (rebuilt by the install script where no prebuild fits).
  const shipped = ["README.md", "LICENSE", "CHANGELOG.md", "package.json", "scripts/build-native.mjs", "native/binding.gyp"];
  const stray = files.filter((f) => !(f.startsWith("dist/") || f.startsWith("evalsets/") || f.startsWith("prebuilds/") || /^native\/[\w-]+\.[ch]$/.test(f) || shipped.includes(f)));
  check(stray.length === 0, `no tests, sources or fixtures in the tarball${stray.length ? `: ${stray.join(", ")}` : ""}`);
  console.log(`     ${files.length} files, ${packed.size} bytes packed`);

  const app = join(work, "app");
  run("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pack-test-app", version: "1.0.0", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--omit=optional", "--prefer-offline", join(work, packed.filename)], app);

  const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
  for (const sub of subpaths) {
    const spec = sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
    const esm = `import(${JSON.stringify(spec)}).then(m => { const n = Object.keys(m).length; if (!n) throw new Error("no exports"); console.log(n); })`;
    const cjs = `const m = require(${JSON.stringify(spec)}); const n = Object.keys(m).length; if (!n) throw new Error("no exports"); console.log(n);`;
    for (const [kind, code, flag] of [["import", esm, "--input-type=module"], ["require", cjs, "--input-type=commonjs"]]) {
      try {
        const n = run("node", [flag, "-e", code], app).trim();
        check(true, `${kind} ${spec} (${n} exports)`);
      } catch {
        check(false, `${kind} ${spec}`);
      }
    }
  }

  // The prebuilt native GEMM ships for this platform and loads from the installed package.
  if (files.includes(`prebuilds/${process.platform}-${process.arch}/tunix_kernels.node`)) {
    const code = `import("tunix-rt/train").then(async (t) => { await t.initBackend("wasm"); console.log(t.fastKernelStatus().native || "none"); })`;
    try {
      const isa = run("node", ["--input-type=module", "-e", code], app).trim().split("\n").pop();
      check(/^(avx512|avx2|scalar)$/.test(isa), `installed package runs its matmuls on the native GEMM (${isa})`);
    } catch (e) {
      check(false, `native GEMM from the installed package: ${e.message}`);
    }
  } else {
    check(!process.env.CI, `tarball holds prebuilds/${process.platform}-${process.arch}/tunix_kernels.node`);
  }

  // A large putMany on the SQLite store runs through the writer thread of the installed package (ESM and
  // CJS): the thread's entry must be in dist/ where the store looks for it (else a warning is printed).
  // better-sqlite3 is an optional peer: link the dev copy (and its run-time deps) into the app.
  for (const dep of ["better-sqlite3", "bindings", "file-uri-to-path"]) {
    if (existsSync(join(root, "node_modules", dep)) && !existsSync(join(app, "node_modules", dep))) symlinkSync(join(root, "node_modules", dep), join(app, "node_modules", dep));
  }
  const sqliteJob = (load) =>
    `${load}.then(async (m) => { const s = await m.createSqliteStore(${JSON.stringify(join(work, "pack-"))} + Math.random() + ".db");` +
    ` const t = (i) => ({ trace_version: "1.0", prompt: "p" + i, final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }] });` +
    ` const r = await s.putMany(Array.from({ length: 3000 }, (_, i) => t(i))); console.log(r.stored.length, await s.count()); await s.close(); })`;
  for (const [kind, code, flag] of [
    ["import", sqliteJob(`import("tunix-rt/storage/sqlite")`), "--input-type=module"],
    ["require", sqliteJob(`Promise.resolve(require("tunix-rt/storage/sqlite"))`), "--input-type=commonjs"],
  ]) {
    const r = spawnSync("node", [flag, "-e", code], { cwd: app, encoding: "utf8" });
    const ok = r.status === 0 && r.stdout.trim() === "3000 3000" && !r.stderr.includes("TUNIX_RT_SQLITE_WRITER");
    check(ok, `${kind}: putMany(3000) on the SQLite store through its writer thread${ok ? "" : `: ${r.stdout}${r.stderr}`}`);
  }

  // The `tunix-rt` bin: shebang, executable bit, and the shipped eval sets found from the installed dist/.
  check(files.includes("evalsets/arithmetic-v1.jsonl") && files.includes("evalsets/reasoning-v1.jsonl"), "tarball holds the shipped eval sets");
  const bin = join(app, "node_modules", ".bin", "tunix-rt");
  try {
    check(run(bin, ["--help"], app).includes("demo"), "tunix-rt --help (installed bin)");
    const lines = run(bin, ["generate", "--count", "2", "--seed", "1", "--out", "-"], app).trim().split("\n");
    check(lines.length === 2 && JSON.parse(lines[0]).trace_version === "1.0", "tunix-rt generate --out - prints JSONL");
    const responses = ["arithmetic-v1-0001", "arithmetic-v1-0121"].map((id) => JSON.stringify({ id, response: "Reasoning:\n1. x\nAnswer: 0" }));
    writeFileSync(join(app, "responses.jsonl"), responses.join("\n"));
    const out = JSON.parse(run(bin, ["eval", "--responses", "responses.jsonl", "--limit", "2", "--out", "ev", "--json", "--quiet"], app));
    check(out.metrics && out.metrics.exact_answer === 0, "tunix-rt eval finds the shipped arithmetic-v1 eval set");
  } catch (e) {
    check(false, `tunix-rt bin: ${e.message}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures) {
  console.error(`pack test: ${failures} failed`);
  process.exit(1);
}
console.log("pack test: all passed");

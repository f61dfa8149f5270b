#!/usr/bin/env node
/**
 * Builds the optional native GEMM addon (native/ → prebuilds/<platform>-<arch>/tunix_kernels.node).
 *
 *   node scripts/build-native.mjs            build unless an up-to-date prebuild exists (the package's
 *                                            install script: a no-op where the tarball ships one)
 *   node scripts/build-native.mjs --force    rebuild
 *   node scripts/build-native.mjs --strict   exit 1 when the build fails (CI)
 *
 * Never fails an install without --strict: without the addon, training runs on the wasm kernels.
 * Needs what any node-gyp addon needs (Python 3, make, a C compiler, Node headers).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const target = join(root, "prebuilds", `${process.platform}-${process.arch}`, "tunix_kernels.node");
const force = process.argv.includes("--force");
const strict = process.argv.includes("--strict");

function newestSource() {
  return Math.max(...readdirSync(nativeDir).filter((f) => /\.(c|h|gyp)$/.test(f)).map((f) => statSync(join(nativeDir, f)).mtimeMs));
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const req = createRequire(import.meta.url);
  for (const id of ["node-gyp/bin/node-gyp.js", "npm/node_modules/node-gyp/bin/node-gyp.js"]) {
    try {
      return req.resolve(id);
    } catch {
      // try the next location
    }
  }
  // npm's own copy, next to the npm that is on PATH
  const npmCli = process.env.npm_execpath;
  if (npmCli) {
    const p = join(dirname(npmCli), "..", "node_modules", "node-gyp", "bin", "node-gyp.js");
    if (existsSync(p)) return p;
  }
  for (const p of ["/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js", "/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"]) {
    if (existsSync(p)) return p;
  }
  return undefined;
}

function fail(message) {
  console.warn(`tunix-rt: native kernels not built: ${message}. Training uses the wasm kernels (slower).`);
  process.exit(strict ? 1 : 0);
}

if (!existsSync(join(nativeDir, "binding.gyp"))) fail("native/ sources are missing");
if (!force && existsSync(target) && statSync(target).mtimeMs >= newestSource()) process.exit(0);
if (process.env.TUNIX_RT_NATIVE === "0") fail("TUNIX_RT_NATIVE=0");
const gyp = nodeGyp();
if (gyp === undefined) fail("node-gyp not found");
const args = [gyp, "rebuild", "--release"];
// Node's headers: npm passes its `nodedir` setting through the environment; a plain `node` run may not.
const nodedir = process.env.npm_config_nodedir;
if (nodedir) args.push(`--nodedir=${nodedir}`);
else if (existsSync("/usr/include/node/node_api.h")) args.push("--nodedir=/usr");
const r = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
const built = join(nativeDir, "build", "Release", "tunix_kernels.node");
if (r.status !== 0 || !existsSync(built)) {
  const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n");
  fail(`node-gyp exited with ${r.status ?? r.signal}\n${tail}`);
}
mkdirSync(dirname(target), { recursive: true });
// Copy then rename: a running process that has the old addon mapped keeps its file (overwriting a
// loaded shared object in place crashes that process).
copyFileSync(built, `${target}.tmp`);
renameSync(`${target}.tmp`, target);
console.log(`tunix-rt: native kernels built → ${target.slice(root.length + 1)}`);

import { defineConfig } from "tsup";

/**
 * One build for every public entry point: ESM (`.js`) + CJS (`.cjs`) + declarations for both.
 * Heavy or Node-only areas get their own entry so the root import stays light.
 */
export default defineConfig({
  entry: {
    index: "src/index.ts",
    // The `tunix-rt` executable (bin); its shebang is kept and the file made executable by tsup.
    cli: "src/cli/main.ts",
    "train/index": "src/train/index.ts",
    "storage/sqlite/index": "src/storage/sqlite/index.ts",
    "storage/postgres/index": "src/storage/postgres/index.ts",
    "testing/index": "src/storage/conformance/index.ts",
    // Data-parallel replica entry, started by path at run time (src/train/parallel/worker-path.ts).
    "train/parallel-worker": "src/train/parallel/worker-entry.ts",
    // SQLite writer thread entry, started by path at run time (src/storage/sqlite/writer.ts).
    "storage/sqlite/writer-worker": "src/storage/sqlite/writer-entry.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: "node20",
  platform: "node",
  shims: true,
});

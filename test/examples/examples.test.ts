import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".ts")).sort();

describe("examples/ run with tsx", () => {
  it("has the four guides' examples", () => {
    for (const f of ["quickstart.ts", "custom-storage.ts", "train-eval.ts", "export-tunix-trl.ts"]) expect(examples).toContain(f);
  });

  for (const file of examples) {
    it(`examples/${file} exits 0`, () => {
      const r = spawnSync(process.execPath, ["--import", TSX, join(ROOT, "examples", file)], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, EXAMPLE_STEPS: "6" },
        timeout: 120_000,
      });
      expect(r.status, `${file}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    });
  }
});

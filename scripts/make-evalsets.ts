/**
 * Regenerates the shipped eval sets in evalsets/ from their fixed seeds:
 *   npx tsx scripts/make-evalsets.ts          # write the files
 *   npx tsx scripts/make-evalsets.ts --check  # exit 1 if the files differ from what the generators produce
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildArithmeticEvalSet, buildReasoningEvalSet, evalItemsToJsonl } from "../src/generate/index.js";

const root = resolve(import.meta.dirname, "..");
const sets = {
  "arithmetic-v1.jsonl": evalItemsToJsonl(buildArithmeticEvalSet()),
  "reasoning-v1.jsonl": evalItemsToJsonl(buildReasoningEvalSet()),
};
const check = process.argv.includes("--check");
let stale = 0;
for (const [name, text] of Object.entries(sets)) {
  const path = resolve(root, "evalsets", name);
  if (check) {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      stale++;
      console.error(`stale: evalsets/${name}`);
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote evalsets/${name} (${text.split("\n").length - 1} items)`);
  }
}
if (stale > 0) process.exit(1);

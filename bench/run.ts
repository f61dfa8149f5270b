/**
 * `npm run bench`: runs every area's bench script in its own process (clean RSS figures, no shared
 * state), in order, printing their figures. Add a file name to BENCHES to include a new one.
 * Arguments after `--` select benches by name (`npm run bench -- storage`).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));

const BENCHES = ["storage.ts", "eval.ts", "render.ts", "dataset.ts"];
const only = process.argv.slice(2);
let failed = 0;
for (const file of BENCHES) {
  const path = join(HERE, file);
  if (!existsSync(path) || (only.length > 0 && !only.some((o) => file.startsWith(o)))) continue;
  console.log(`\n=== bench/${file} ===`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path], { stdio: "inherit", env: process.env });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;

/**
 * Benches whose measured steps run the BUILT package in plain `node` (what a user's process sees: no
 * TypeScript loader thread, no compile time inside a measurement) call {@link ensureBuilt} first.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");

/**
 * Builds dist/ when it is missing or older than a source file.
 *
 * @param who - the bench, for the message.
 */
export function ensureBuilt(who: string): void {
  const built = join(ROOT, "dist", "index.js");
  const newest = (d: string): number =>
    readdirSync(d, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(d, e.name)) : statSync(join(d, e.name)).mtimeMs), 0);
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(ROOT, "src"))) return;
  console.log(`${who}: building dist/ first (the measured steps run the built package)`);
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build failed");
}

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runCli } from "../../src/cli/run.js";

export const ROOT = resolve(__dirname, "../..");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const MAIN = join(ROOT, "src/cli/main.ts");

/** A fresh temp working directory. */
export function tempDir(prefix = "tunix-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI in-process (fast) and captures its output. */
export async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    isTTY: false,
    cwd,
    env: {},
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/** Runs the real executable (`node src/cli/main.ts` through tsx) in a child process. */
export function spawnCli(cwd: string, argv: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...argv], { cwd, encoding: "utf8", input, env: { ...process.env, FORCE_COLOR: "0" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

#!/usr/bin/env node
/**
 * The `tunix-rt` executable. The only module that touches process.argv, process.exit, signals and the
 * TTY; everything else is `runCli(argv, io)`.
 */
import { TunixError } from "../errors.js";
import { runCli } from "./run.js";

// `tunix-rt generate --out - | head`: a closed pipe ends the command quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const controller = new AbortController();
let interrupts = 0;
process.on("SIGINT", () => {
  interrupts++;
  if (interrupts > 1) {
    process.stderr.write("\ninterrupted again: exiting now\n");
    process.exit(130);
  }
  process.stderr.write("\ninterrupt: stopping after the current step (training writes a checkpoint first); Ctrl-C again to quit now\n");
  controller.abort(new TunixError("ABORTED", "interrupted by Ctrl-C"));
});

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns,
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // tfjs and worker pools may keep handles open; the command is done.
    setImmediate(() => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`tunix-rt: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

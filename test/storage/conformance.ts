/**
 * Shared wiring of the conformance suite for the adapter test files: vitest functions, temp dirs and a
 * child-process writer (tsx) for the two-process tests.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runTraceStoreConformance, type ChildWriteJob, type ChildWriteResult, type ConformanceOptions } from "../../src/storage/conformance/index.js";
import type { TraceStore } from "../../src/storage/index.js";

/** A temp dir removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tunix-rt-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CHILD = resolve(__dirname, "child-writer.ts");

/** Runs test/storage/child-writer.ts in a new Node process against a store URI. */
export function runChildWriter(uri: string, job: ChildWriteJob, extra: Record<string, string> = {}): Promise<ChildWriteResult> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ["--import", "tsx", CHILD, uri, JSON.stringify(job), JSON.stringify(extra)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", fail);
    p.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      try {
        done(JSON.parse(last) as ChildWriteResult);
      } catch {
        fail(new Error(`child writer exited ${code}: ${out}\n${err}`));
      }
    });
  });
}

/** Runs the suite with vitest's functions. */
export function conformance(name: string, makeStore: () => Promise<TraceStore>, options: ConformanceOptions = {}): void {
  runTraceStoreConformance({ describe, it, expect, makeStore, options, name });
}

/**
 * The trace-store conformance suite: run it against your own `TraceStore` adapter with your test
 * framework's `describe`/`it`/`expect` (injected, so tunix-rt does not depend on a test runner).
 *
 * ```ts
 * import { describe, it, expect } from "vitest";
 * import { runTraceStoreConformance } from "tunix-rt/testing";
 * runTraceStoreConformance({ describe, it, expect, makeStore: async () => createMyStore() });
 * ```
 * @module
 */
import { atomicTests } from "./atomic.js";
import { basicTests } from "./basic.js";
import { batchTests } from "./batch.js";
import { concurrencyTests } from "./concurrency.js";
import { makeCtx, type ConformanceArgs } from "./harness.js";
import { queryTests } from "./query.js";
import { streamTests } from "./stream.js";

export type { ConformanceArgs, ConformanceOptions, ConformanceMatchers, ChildWriteJob, ChildWriteResult } from "./harness.js";
export { makeTrace, makeFixtureSet, FIXTURE_FILTERS } from "./fixtures.js";

/**
 * Registers the conformance groups (basic, batch, query, stream, atomic, concurrency) under one
 * `describe("TraceStore conformance: <name>")` block. Every filter operator is checked against
 * `matchesFilter`; options only describe real capability differences.
 *
 * @param args - injected test functions, the store factory, options and a name for the describe block.
 */
export function runTraceStoreConformance(args: ConformanceArgs): void {
  const ctx = makeCtx(args);
  args.describe(`TraceStore conformance: ${args.name ?? "adapter"}`, () => {
    args.describe("basic", () => basicTests(ctx));
    args.describe("batch", () => batchTests(ctx));
    args.describe("query", () => queryTests(ctx));
    args.describe("stream", () => streamTests(ctx));
    args.describe("atomic", () => atomicTests(ctx));
    args.describe("concurrency", () => concurrencyTests(ctx));
  });
}

/**
 * File-store queries at a size where the disk-read paths take over (meta and content_hash read from the
 * sidecars, a page walk switching to a full scan, answers cached per filter and extended after writes),
 * checked against a memory store holding the same traces.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createFileStore, createMemoryStore, type TraceFilter, type TraceStore } from "../../src/storage/index.js";
import { makeTrace } from "../../src/storage/conformance/index.js";
import { collect } from "../../src/storage/conformance/harness.js";
import { tempDir } from "./conformance.js";

const root = tempDir("filequery");
const N = 20_000;

async function mirror(file: TraceStore, memory: TraceStore, traces: Record<string, unknown>[]): Promise<void> {
  const { stored } = await file.putMany(traces);
  await memory.putMany(stored.map((s) => s.trace), { ids: stored.map((s) => s.id), createdAts: stored.map((s) => s.created_at) });
}

async function expectSame(file: TraceStore, memory: TraceStore, filters: TraceFilter[]): Promise<void> {
  for (const filter of filters) {
    expect({ filter, n: await file.count(filter) }).toEqual({ filter, n: await memory.count(filter) });
    for (const opts of [{ limit: 50 }, { limit: 50, direction: "desc" as const }, { limit: 50, orderBy: "id" as const }]) {
      const got = (await file.query(filter, opts)).items;
      expect({ filter, opts, ids: got.map((x) => x.id) }).toEqual({ filter, opts, ids: (await memory.query(filter, opts)).items.map((x) => x.id) });
    }
  }
  const f = filters[0]!;
  expect((await collect(file.stream(f, { batchSize: 999 }))).map((x) => x.id)).toEqual((await collect(memory.stream(f, { batchSize: 999 }))).map((x) => x.id));
}

describe("file store queries over 20k traces", () => {
  it("meta and content_hash filters read the sidecars; cached answers follow inserts, deletes and a reopen", { timeout: 120_000 }, async () => {
    const dir = join(root, "big");
    const file = await createFileStore(dir, { sync: false, segmentBytes: 2 * 2 ** 20 });
    const memory = createMemoryStore();
    for (let b = 0; b < N; b += 5000) {
      await mirror(file, memory, Array.from({ length: 5000 }, (_, k) => makeTrace(b + k, { n: b + k, k: (b + k) % 100, tag: (b + k) % 7 === 0 ? "seven" : "other" })));
    }
    const some = (await memory.query({ meta: "k", eq: 42 }, { limit: 3 })).items;
    const filters: TraceFilter[] = [
      { meta: "tag", eq: "seven" },
      { meta: "n", eq: N - 1 }, // the only match is last: the walk gives up and scans
      { meta: "k", gte: 10, lt: 12 },
      { and: [{ meta: "tag", eq: "other" }, { not: { meta: "k", in: [1, 2, 3] } }] },
      { content_hash: { in: some.map((x) => x.content_hash) } },
      { or: [{ meta: "n", eq: 5 }, { id: { in: [some[0]!.id] } }] },
    ];
    await expectSame(file, memory, filters);

    // Writes after the answers were cached: new traces are read and answered, deleted ones drop out.
    await mirror(file, memory, Array.from({ length: 300 }, (_, k) => makeTrace(N + k, { n: N + k, k: 42, tag: "seven" })));
    for (const x of (await memory.query({ meta: "k", eq: 11 }, { limit: 40 })).items) {
      expect(await file.delete(x.id)).toBe(true);
      await memory.delete(x.id);
    }
    expect((await file.putMany([some[1]!.trace, makeTrace(1, { n: -1 })], { dedupe: true })).duplicates).toBe(1);
    await memory.putMany([makeTrace(1, { n: -1 })], { ids: [(await file.query({ meta: "n", eq: -1 })).items[0]!.id], createdAts: [(await file.query({ meta: "n", eq: -1 })).items[0]!.created_at] });
    await expectSame(file, memory, filters);
    await file.close();

    const again = await createFileStore(dir);
    await expectSame(again, memory, filters);
    expect((await again.putMany([some[2]!.trace], { dedupe: true })).duplicates).toBe(1);
    await again.close();
  });
});

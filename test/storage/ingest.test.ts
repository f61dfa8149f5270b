import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createMemoryStore, ingestJsonl } from "../../src/storage/index.js";
import { makeTrace } from "../../src/storage/conformance/index.js";
import { readLines } from "../../src/storage/line-reader.js";
import { hasReference, referencePath } from "../helpers/reference.js";
import { tempDir } from "./conformance.js";

const dir = tempDir("ingest");
const line = (n: number, meta?: Record<string, unknown>): string => JSON.stringify(makeTrace(n, meta));

describe("ingestJsonl", () => {
  it.skipIf(!hasReference)("loads the Python tunix-rt dev-reasoning-v2 dataset unchanged", async () => {
    const store = createMemoryStore();
    const report = await ingestJsonl(store, referencePath("tunix-rt", "dev-reasoning-v2.dataset.jsonl"), { batchSize: 100 });
    expect(report).toMatchObject({ lines: 550, stored: 550, skipped: 0, duplicates: 0, errors: [] });
    expect(await store.count({ meta: "category", eq: "reasoning" })).toBe(385);
    expect(await store.count({ meta: "category", eq: "golden_style" })).toBe(35);
    const first = (await store.query({ meta: "index", eq: 13 })).items.find((s) => s.trace.prompt === "Reverse the string: 'reason'");
    expect(first?.trace.final_answer).toBe("nosaer");
  });

  it("reports bad lines with line numbers and reasons, keeps the valid ones", async () => {
    const path = join(dir, "mixed.jsonl");
    const bad = JSON.stringify({ ...makeTrace(3), steps: [{ i: 0, type: "x", content: "" }] });
    writeFileSync(path, `\uFEFF${line(1)}\r\n\n{not json\n${bad}\n${line(2)}\n   \n[1,2]\n${line(4)}`);
    const store = createMemoryStore();
    const report = await ingestJsonl(store, path, { batchSize: 2 });
    expect(report.stored).toBe(3);
    expect(report.skipped).toBe(3);
    expect(report.lines).toBe(8);
    expect(report.errors.map((e) => e.line)).toEqual([3, 4, 7]);
    expect(report.errors[0]!.issues[0]!.message).toMatch(/invalid JSON/);
    expect(report.errors[1]!.issues[0]!.path).toEqual(["steps", 0, "content"]);
    expect(await store.count()).toBe(3);
  });

  it("stamps meta.source without overwriting unless asked; counts duplicates with dedupe", async () => {
    const input = [line(1, { source: "orig" }), line(2), line(3, null as never), line(2)].join("\n");
    const store = createMemoryStore();
    const r = await ingestJsonl(store, Readable.from([input]), { source: "import-1", dedupe: true });
    expect(r).toMatchObject({ stored: 3, duplicates: 1, skipped: 0 });
    expect(await store.count({ meta: "source", eq: "import-1" })).toBe(2);
    expect(await store.count({ meta: "source", eq: "orig" })).toBe(1);
    const store2 = createMemoryStore();
    await ingestJsonl(store2, Readable.from([input]), { stampMeta: { source: "x", batch: 7 }, overwriteMeta: true });
    expect(await store2.count({ and: [{ meta: "source", eq: "x" }, { meta: "batch", eq: 7 }] })).toBe(4);
  });

  it("caps detailed errors at maxErrors but counts them all; reports progress per batch", async () => {
    const input = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? "oops" : line(i))).join("\n");
    const progress: number[] = [];
    const r = await ingestJsonl(createMemoryStore(), Readable.from([input]), { maxErrors: 4, batchSize: 5, onProgress: (p) => progress.push(p.stored) });
    expect(r.skipped).toBe(10);
    expect(r.errors.length).toBe(4);
    expect(r.errorsTruncated).toBe(true);
    expect(progress).toEqual([5, 10, 15, 20]);
  });

  it("rejects bad arguments and missing files with named errors", async () => {
    await expect(ingestJsonl(createMemoryStore(), join(dir, "missing.jsonl"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(ingestJsonl(createMemoryStore(), Readable.from([""]), { batchSize: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(ingestJsonl(createMemoryStore(), 42 as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("stops with ABORTED between batches; earlier batches stay stored", async () => {
    const ac = new AbortController();
    const store = createMemoryStore();
    const input = Array.from({ length: 20 }, (_, i) => line(i)).join("\n");
    await expect(ingestJsonl(store, Readable.from([input]), { batchSize: 5, signal: ac.signal, onProgress: () => ac.abort() })).rejects.toMatchObject({ code: "ABORTED" });
    expect(await store.count()).toBe(5);
  });
});

describe("readLines", () => {
  it("splits byte chunks anywhere (inside multi-byte characters) with exact byte offsets", async () => {
    const text = "héllo 🙂\nwörld\n\nlast";
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
    const lines = [];
    for await (const l of readLines(Readable.from(chunks))) lines.push(l);
    expect(lines.map((l) => l.text)).toEqual(["héllo 🙂", "wörld", "", "last"]);
    expect(lines.map((l) => [l.start, l.end, l.terminated])).toEqual([
      [0, 12, true],
      [12, 19, true],
      [19, 20, true],
      [20, 24, false],
    ]);
  });
});

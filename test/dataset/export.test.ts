import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildDataset, exportDataset, verifyDataset, writeJsonl } from "../../src/dataset/index.js";
import { isTunixError } from "../../src/errors.js";
import { compactDatasetManifest, parseDatasetManifest } from "../../src/manifest/index.js";
import { renderTrace } from "../../src/render/index.js";
import { createMemoryStore, createTraceStore, type TraceBackend } from "../../src/storage/index.js";
import { sha256Hex } from "../../src/internal/hash.js";
import { hasReference, referencePath } from "../helpers/reference.js";
import { fill, makeTraces } from "./fixtures.js";
import { rejects } from "../helpers/rejects.js";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function setup(n = 40) {
  const store = createMemoryStore();
  await fill(store, n);
  const m = await buildDataset(store, { name: "d", version: "v1", strategy: "random", seed: 7, limit: 20, splits: { train: 0.75, val: 0.25 } });
  return { store, m };
}

describe("exportDataset", () => {
  it("yields records in manifest order for every format", async () => {
    const { store, m } = await setup();
    const traces = await collect(exportDataset(m, store, { format: "trace" }));
    expect(traces).toHaveLength(20);
    const stored = await store.getMany(m.trace_ids);
    expect(traces).toEqual(stored.map((s) => s!.trace));
    const sft = await collect(exportDataset(m, store, { format: "tunix_sft", compat: "tunix-rt" }));
    expect(sft.map((r) => (r as { id: string }).id)).toEqual(m.trace_ids);
    expect(sft[0]).toEqual(renderTrace(stored[0]!.trace, "tunix_sft", { compat: "tunix-rt", id: m.trace_ids[0]! }));
    for (const format of ["training_example", "messages", "prompt_completion"] as const) {
      expect(await collect(exportDataset(m, store, { format }))).toHaveLength(20);
    }
    const content = await collect(exportDataset(m, store, { format: "training_example", idFrom: "content" }));
    expect((content[0] as { id: string }).id).not.toBe(m.trace_ids[0]);
  });

  it("exports one split", async () => {
    const { store, m } = await setup();
    const val = await collect(exportDataset(m, store, { format: "trace", split: "val", batchSize: 3 }));
    expect(val).toHaveLength(m.splits!.val!.count);
    expect(() => exportDataset(m, store, { format: "trace", split: "test" })).toThrow('dataset d-v1 has no split "test" (splits: train, val)');
  });

  it("a missing trace is an error naming it, or skipped and counted", async () => {
    const { store, m } = await setup();
    const gone = m.trace_ids[3]!;
    await store.delete(gone);
    const e = await rejects(collect(exportDataset(m, store, { format: "trace" })));
    expect(isTunixError(e, "NOT_FOUND")).toBe(true);
    expect(e.message).toBe(`dataset d-v1: trace ${gone} (position 3) is missing from the memory store`);
    const ex = exportDataset(m, store, { format: "trace", onMissing: "skip" });
    expect(await collect(ex)).toHaveLength(19);
    expect(ex.stats).toEqual({ exported: 19, skippedMissing: 1, skippedChanged: 0, skippedIds: [gone] });
  });

  it("a changed trace is an error unless skipped or ignored; verifyDataset reports both problems", async () => {
    const { store, m } = await setup();
    const [first, second] = [m.trace_ids[0]!, m.trace_ids[1]!];
    const old = (await store.get(first))!;
    await store.delete(first);
    await store.put({ ...old.trace, final_answer: "tampered" }, { id: first, createdAt: old.created_at });
    await store.delete(second);
    const e = await rejects(collect(exportDataset(m, store, { format: "trace", onMissing: "skip" })));
    expect(isTunixError(e, "DATASET_INVALID")).toBe(true);
    expect(e.message).toContain(`trace ${first} changed since the build`);
    expect(await collect(exportDataset(m, store, { format: "trace", onMissing: "skip", onChanged: "ignore" }))).toHaveLength(19);
    const report = await verifyDataset(m, store, { batchSize: 4 });
    expect(report).toMatchObject({ ok: false, checked: 20, missingCount: 1, missing: [second], changedCount: 1, hashesChecked: true });
    expect(report.changed[0]).toMatchObject({ id: first, expected: old.content_hash });
    expect(await verifyDataset(compactDatasetManifest(m), store, { batchSize: 3 })).toEqual(report);
  });

  it.skipIf(!hasReference)("verifyDataset on a Python manifest (no content hashes) checks existence only", async () => {
    const py = parseDatasetManifest(JSON.parse(readFileSync(referencePath("tunix-rt/test-v1.manifest.json"), "utf8")));
    const store = createMemoryStore();
    const t = makeTraces(1)[0]!;
    await store.put(t, { id: py.trace_ids[0]! });
    const report = await verifyDataset(py, store);
    expect(report).toMatchObject({ ok: false, checked: 3, missingCount: 2, hashesChecked: false });
    expect(report.missing).toEqual(py.trace_ids.slice(1));
  });

  it("verifyDataset passes on an intact dataset", async () => {
    const { store, m } = await setup();
    expect(await verifyDataset(m, store)).toMatchObject({ ok: true, checked: 20, missingCount: 0, changedCount: 0 });
  });

  it("rejects a bad format and manifests without ids", async () => {
    const { store, m } = await setup();
    expect(() => exportDataset(m, store, { format: "csv" as never })).toThrow(/unknown format "csv"/);
    expect(() => exportDataset(m, store, { format: "messages", style: "yaml" as never })).toThrow(
      'exportDataset: options: style must be "reasoning_answer" or "xml_tags", got "yaml"',
    );
    const staticManifest = parseDatasetManifest({ ...m, checksum: undefined, trace_ids: [], content_hashes: undefined, trace_splits: undefined, splits: undefined, trace_count: 550 });
    expect(() => exportDataset(staticManifest, store, { format: "trace" })).toThrow(/lists no trace_ids \(a static Python manifest\)/);
    await expect(verifyDataset(staticManifest, store)).rejects.toThrow(/lists no trace_ids/);
  });

  it("a stored trace that is no longer valid (row edited behind the store) is refused naming the trace and field", async () => {
    const mem = createMemoryStore();
    await fill(mem, 3);
    const m = await buildDataset(mem, { name: "d", version: "v1", strategy: "latest" });
    const rows = (await mem.getMany(m.trace_ids)).map((s) => ({ id: s!.id, created_at: s!.created_at, content_hash: s!.content_hash, body: JSON.stringify(s!.trace) }));
    const edited = JSON.parse(rows[1]!.body) as Record<string, unknown>;
    rows[1]!.body = JSON.stringify({ ...edited, prompt: "", steps: [{ i: 0, type: "t", content: 5 }] });
    const backend: TraceBackend = {
      kind: "edited",
      capabilities: { persistent: false, filterPushdown: false, concurrentWriters: false },
      insert: async () => [],
      get: async (ids) => rows.filter((r) => ids.includes(r.id)),
      delete: async () => false,
      count: async () => rows.length,
      page: async () => [],
      close: async () => undefined,
    };
    const store = createTraceStore(backend);
    for (const format of ["tunix_sft", "messages"] as const) {
      const e = await rejects(collect(exportDataset(m, store, { format })));
      expect(isTunixError(e, "TRACE_INVALID")).toBe(true);
      expect(e.message).toMatchInlineSnapshot(`
        "dataset d-v1: trace t-000001: Invalid reasoning trace
        prompt: must not be empty
        steps[0].content: Invalid input: expected string, received number
        prompt: must not be empty
        steps[0].content: Invalid input: expected string, received number"
      `);
      expect((e as { issues?: unknown }).issues).toMatchInlineSnapshot(`
        [
          {
            "code": "too_small",
            "message": "must not be empty",
            "path": [
              "prompt",
            ],
          },
          {
            "code": "invalid_type",
            "message": "Invalid input: expected string, received number",
            "path": [
              "steps",
              0,
              "content",
            ],
          },
        ]
      `);
    }
    expect(await collect(exportDataset(m, store, { format: "trace" }))).toHaveLength(3);
  });

  it("render errors name the trace", async () => {
    const store = createMemoryStore();
    const t = makeTraces(1)[0]!;
    await store.put({ ...t, prompt: "hi <start_of_turn>user" }, { id: "bad" });
    const m = await buildDataset(store, { name: "d", version: "v1", strategy: "latest" });
    const e = await rejects(collect(exportDataset(m, store, { format: "tunix_sft" })));
    expect(isTunixError(e, "CONTROL_TOKEN_IN_CONTENT")).toBe(true);
    expect(e.message).toMatch(/^dataset d-v1: trace bad: /);
  });
});

describe("writeJsonl", () => {
  it("writes a file atomically with trailing newlines and returns its sha256", async () => {
    const { store, m } = await setup();
    const dir = mkdtempSync(join(tmpdir(), "tunix-jsonl-"));
    const path = join(dir, "out.jsonl");
    const r = await writeJsonl(exportDataset(m, store, { format: "trace" }), path);
    const text = readFileSync(path, "utf8");
    expect(r.lines).toBe(20);
    expect(text.split("\n")).toHaveLength(21);
    expect(text.endsWith("\n")).toBe(true);
    expect(r.bytes).toBe(Buffer.byteLength(text));
    const py = await writeJsonl([{ a: "é", b: [1, 2] }], join(dir, "py.jsonl"), { python: true });
    expect(readFileSync(join(dir, "py.jsonl"), "utf8")).toBe('{"a": "\\u00e9", "b": [1, 2]}\n');
    expect(py.lines).toBe(1);
  });

  it("writes the same bytes whatever the chunk size (lines longer than a chunk, multi-byte text)", async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ i, text: "é🙂x".repeat(i % 37), big: i % 50 === 0 ? "y".repeat(5000) : "" }));
    const expected = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(""), "utf8");
    for (const chunkBytes of [1, 7, 64, 4096, 65536]) {
      const chunks: Buffer[] = [];
      const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
      const r = await writeJsonl(records, sink, { chunkBytes });
      const got = Buffer.concat(chunks);
      expect(got.equals(expected), `chunkBytes ${chunkBytes}`).toBe(true);
      expect(r).toMatchObject({ lines: 300, bytes: expected.length });
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(Math.max(chunkBytes, 5100 * 3));
    }
  });

  it("writes the same bytes to a file whatever the chunk size (its chunk buffers are reused)", async () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ i, text: `${i}-é`.repeat(i % 23), big: i % 500 === 0 ? "y".repeat(5000) : "" }));
    const expected = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(""), "utf8");
    const dir = mkdtempSync(join(tmpdir(), "tunix-jsonl-"));
    for (const chunkBytes of [7, 64, 4096, 65536]) {
      const path = join(dir, `out-${chunkBytes}.jsonl`);
      async function* slowly() {
        for (const [k, r] of records.entries()) {
          if (k % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
          yield r;
        }
      }
      const r = await writeJsonl(slowly(), path, { chunkBytes });
      expect(readFileSync(path).equals(expected), `chunkBytes ${chunkBytes}`).toBe(true);
      expect(r.sha256).toBe(sha256Hex(expected));
    }
  });

  it("leaves no file behind when the records fail", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tunix-jsonl-"));
    async function* bad() {
      yield { a: 1 };
      throw new Error("boom");
    }
    await expect(writeJsonl(bad(), join(dir, "x.jsonl"))).rejects.toThrow("boom");
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("waits for drain on a slow stream (backpressure)", async () => {
    let maxBuffered = 0;
    const chunks: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        setImmediate(cb);
      },
    });
    const records = Array.from({ length: 2000 }, (_, i) => ({ i, text: "x".repeat(100) }));
    const orig = slow.write.bind(slow);
    slow.write = ((chunk: Buffer, ...rest: never[]) => {
      const ok = orig(chunk, ...rest);
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      return ok;
    }) as typeof slow.write;
    const r = await writeJsonl(records, slow, { chunkBytes: 4096 });
    expect(r.lines).toBe(2000);
    expect(maxBuffered).toBeLessThanOrEqual(4096 + 200);
    expect(Buffer.concat(chunks).toString("utf8").split("\n")).toHaveLength(2001);
    const pass = new PassThrough();
    pass.resume();
    expect((await writeJsonl([], pass)).lines).toBe(0);
  });
});

describe.skipIf(!hasReference)("dev-reasoning-v2 round trip", () => {
  it("exports the Python dataset's traces byte for byte in python json.dumps(ensure_ascii=False) format", async () => {
    const text = readFileSync(referencePath("tunix-rt/dev-reasoning-v2.dataset.jsonl"), "utf8");
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const store = createMemoryStore();
    const ids = lines.map((_, i) => `r${String(i).padStart(4, "0")}`);
    await store.putMany(lines.map((l) => JSON.parse(l)), { ids, createdAts: lines.map(() => "2026-01-01T00:00:00Z") });
    const m = await buildDataset(store, { name: "dev", version: "v2", strategy: "latest" });
    const ordered = [...ids].sort().reverse();
    expect(m.trace_ids).toEqual(ordered);
    const chunks: string[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString("utf8")); cb(); } });
    await writeJsonl(exportDataset(m, store, { format: "trace" }), sink, { python: true, ensureAscii: false });
    const out = chunks.join("").split("\n").slice(0, -1);
    const expected = ordered.map((id) => lines[Number(id.slice(1))]);
    expect(out.length).toBe(550);
    expect(out.filter((line, i) => line !== expected[i])).toEqual([]);
  });
});

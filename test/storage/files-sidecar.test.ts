/**
 * The file store's sidecars (segments/NNNNNNNN.idx): stores written before them open (and get them),
 * and a missing, torn, garbled, stale or unwritable sidecar never changes what the store returns.
 * Every check compares the file store with a memory store holding the same traces, over every fixture
 * filter in both orders and directions.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createFileStore, createMemoryStore, type StoredTrace, type TraceStore } from "../../src/storage/index.js";
import { FIXTURE_FILTERS, makeFixtureSet, makeTrace } from "../../src/storage/conformance/index.js";
import { queryAll } from "../../src/storage/conformance/harness.js";
import { tempDir } from "./conformance.js";

const root = tempDir("sidecar");
let n = 0;
const freshDir = (): string => join(root, `d${n++}`);
const segDir = (dir: string): string => join(dir, "segments");
const files = (dir: string, ext: string): string[] => readdirSync(segDir(dir)).filter((f) => f.endsWith(ext)).sort().map((f) => join(segDir(dir), f));

/** Every fixture filter, both orders, both directions, paged by 7: the file store must answer as the memory store does. */
async function expectSame(file: TraceStore, memory: TraceStore): Promise<void> {
  expect(await file.count()).toBe(await memory.count());
  for (const filter of [undefined, ...FIXTURE_FILTERS]) {
    expect({ filter, n: await file.count(filter) }).toEqual({ filter, n: await memory.count(filter) });
  }
  for (const orderBy of ["created_at", "id"] as const) {
    for (const direction of ["asc", "desc"] as const) {
      for (const filter of [undefined, { meta: "level", exists: true }, { not: { meta: "category", eq: "math" } }]) {
        const got = await queryAll(file, filter, { orderBy, direction, limit: 7 });
        expect({ orderBy, direction, filter, got }).toEqual({ orderBy, direction, filter, got: await queryAll(memory, filter, { orderBy, direction, limit: 7 }) });
      }
    }
  }
}

/** Opens `dir` afresh and compares it with `memory`. */
async function expectSameOnOpen(dir: string, memory: TraceStore): Promise<void> {
  const s = await createFileStore(dir);
  try {
    await expectSame(s, memory);
  } finally {
    await s.close();
  }
}

/** Stores copies of stored traces (same ids and times) in another store. */
const copyInto = (store: TraceStore, items: readonly StoredTrace[]): Promise<unknown> =>
  store.putMany(items.map((x) => x.trace), { ids: items.map((x) => x.id), createdAts: items.map((x) => x.created_at) });

/** The fixture set stored in a memory store (the expected state) with fixed ids and times. */
async function fixtureMemory(): Promise<{ memory: TraceStore; stored: StoredTrace[] }> {
  const { traces, ids, createdAts } = makeFixtureSet();
  const memory = createMemoryStore();
  return { memory, stored: (await memory.putMany(traces, { ids, createdAts })).stored };
}

/** A store whose fixture traces were written in three putMany batches plus a delete. */
async function writtenStore(dir: string, memory: TraceStore): Promise<void> {
  const all = await queryAll(memory, undefined, { orderBy: "id" });
  const s = await createFileStore(dir, { sync: false });
  for (const part of [all.slice(0, 20), all.slice(20, 45), all.slice(45)]) await copyInto(s, part);
  await s.delete(all[3]!.id);
  await memory.delete(all[3]!.id);
  await s.close();
}

/** A record line exactly as the file store wrote it before sidecars existed. */
const oldRecordLine = (s: StoredTrace): string => `{"id":${JSON.stringify(s.id)},"created_at":"${s.created_at}","content_hash":"${s.content_hash}","trace":${JSON.stringify(s.trace)}}\n`;

describe("file store sidecars", () => {
  it("a directory written by the previous version (segments only, a delete, a torn tail) opens, gets sidecars, and reopens from them", async () => {
    const dir = freshDir();
    const { memory, stored } = await fixtureMemory();
    mkdirSync(segDir(dir), { recursive: true });
    const seg = (k: number): string => join(segDir(dir), `${String(k).padStart(8, "0")}.jsonl`);
    const batch = (items: StoredTrace[]): string => items.map(oldRecordLine).join("") + `{"commit":${items.length}}\n`;
    writeFileSync(seg(1), batch(stored.slice(0, 15)) + batch(stored.slice(15, 30)));
    writeFileSync(seg(2), batch(stored.slice(30, 50)));
    writeFileSync(seg(3), batch(stored.slice(50)) + `{"delete":${JSON.stringify(stored[7]!.id)}}\n{"commit":1}\n` + oldRecordLine(stored[0]!).slice(0, 40));
    await memory.delete(stored[7]!.id);
    const committed = statSync(seg(3)).size - 40;

    const s = await createFileStore(dir);
    await expectSame(s, memory);
    expect(statSync(seg(3)).size).toBe(committed);
    expect(files(dir, ".idx").length).toBe(3);
    const more = await s.putMany([makeTrace(900, { category: "math" }), stored[1]!.trace], { dedupe: true });
    expect(more.duplicates).toBe(1);
    await copyInto(memory, more.stored);
    await s.close();

    const sizes = files(dir, ".idx").map((f) => statSync(f).size);
    await expectSameOnOpen(dir, memory);
    expect(files(dir, ".idx").map((f) => statSync(f).size)).toEqual(sizes);
  });

  it("a missing, torn, garbled or half-overwritten sidecar is cut or rebuilt, never trusted", async () => {
    const damages: [string, (idx: string) => void][] = [
      ["missing", (idx) => rmSync(idx)],
      ["torn mid-batch", (idx) => truncateSync(idx, statSync(idx).size - 5)],
      ["garbage appended", (idx) => appendFileSync(idx, Buffer.from("TXB1 not a batch at all"))],
      ["bad file header", (idx) => writeFileSync(idx, Buffer.concat([Buffer.from("XXXXXXXX"), readFileSync(idx).subarray(8)]))],
      [
        "bit flip in the first entry's created_at",
        (idx) => {
          const b = readFileSync(idx);
          const at = 8 + 24 + 9 + 5; // file header, batch header, kind/off/len, then into the f64
          b[at] = b[at]! ^ 0x40;
          writeFileSync(idx, b);
        },
      ],
    ];
    for (const [what, damage] of damages) {
      const dir = freshDir();
      const { memory } = await fixtureMemory();
      await writtenStore(dir, memory);
      damage(files(dir, ".idx")[0]!);
      const s = await createFileStore(dir);
      try {
        await expectSame(s, memory).catch((e: Error) => {
          throw new Error(`${what}: ${e.message}`);
        });
        const p = await s.put(makeTrace(777, { category: "math" }));
        await memory.put(p.trace, { id: p.id, createdAt: p.created_at });
      } finally {
        await s.close();
      }
      await expectSameOnOpen(dir, memory);
    }
  });

  it("a sidecar ahead of its segment (segment lost its last batches: power loss with sync off) is dropped", async () => {
    const dir = freshDir();
    const { memory } = await fixtureMemory();
    const all = await queryAll(memory, undefined, { orderBy: "id" });
    const s = await createFileStore(dir, { sync: false });
    await copyInto(s, all.slice(0, 30));
    const seg = files(dir, ".jsonl")[0]!;
    const firstBatchEnd = statSync(seg).size;
    await copyInto(s, all.slice(30));
    await s.close();
    truncateSync(seg, firstBatchEnd);
    for (const x of all.slice(30)) await memory.delete(x.id);
    await expectSameOnOpen(dir, memory);
  });

  it("lines appended to a segment by a version without sidecars are replayed from where the sidecar ends", async () => {
    const dir = freshDir();
    const { memory } = await fixtureMemory();
    await writtenStore(dir, memory);
    const extra = [makeTrace(501, { category: "logic" }), makeTrace(502, null)];
    const added = (await memory.putMany(extra, { ids: ["old-1", "old-2"], createdAts: ["2030-01-01T00:00:00.000Z", "2030-01-01T00:00:00.000Z"] })).stored;
    appendFileSync(files(dir, ".jsonl").at(-1)!, added.map(oldRecordLine).join("") + `{"commit":2}\n`);
    await expectSameOnOpen(dir, memory);
  });

  it("an unwritable sidecar switches itself off: writes, meta filters and dedupe read the segments", async () => {
    const dir = freshDir();
    mkdirSync(join(segDir(dir), "00000001.idx"), { recursive: true }); // a directory where the file should be
    const { memory, stored } = await fixtureMemory();
    const s = await createFileStore(dir, { sync: false });
    await copyInto(s, stored);
    expect((await s.putMany([stored[5]!.trace], { dedupe: true })).duplicates).toBe(1);
    await expectSame(s, memory);
    await s.close();
    rmSync(join(segDir(dir), "00000001.idx"), { recursive: true });
    await expectSameOnOpen(dir, memory);
    expect(existsSync(join(segDir(dir), "00000001.idx"))).toBe(true);
  });

  it("a record damaged in place behind an intact sidecar is STORE_CORRUPT when read, never another trace", async () => {
    const dir = freshDir();
    const s = await createFileStore(dir);
    await s.putMany([makeTrace(1), makeTrace(2)], { ids: ["a", "b"] });
    await s.close();
    const seg = files(dir, ".jsonl")[0]!;
    const text = readFileSync(seg, "utf8");
    writeFileSync(seg, text.replace('{"id":"a"', '{"id":"x"'));
    const s2 = await createFileStore(dir);
    try {
      expect(await s2.count()).toBe(2);
      await expect(s2.get("a")).rejects.toMatchObject({ code: "STORE_CORRUPT" });
      expect((await s2.get("b"))?.trace.prompt).toBe("What is 2 + 2?");
    } finally {
      await s2.close();
    }
  });
});

import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTunixError } from "../../src/errors.js";
import { createFileStore, type TraceStore } from "../../src/storage/index.js";
import { makeTrace } from "../../src/storage/conformance/index.js";
import { conformance, runChildWriter, tempDir } from "./conformance.js";

const root = tempDir("files");
let n = 0;
const dirs = new WeakMap<TraceStore, string>();
const make = async (): Promise<TraceStore> => {
  const dir = join(root, `s${n++}`);
  const s = await createFileStore(dir, { sync: false });
  dirs.set(s, dir);
  return s;
};

conformance("file", make, {
  reopen: (s) => createFileStore(dirs.get(s)!),
  writeInChildProcess: (s, job) => runChildWriter(`file:${dirs.get(s)!}`, job),
});

const segment = (dir: string): string => join(dir, "segments", readdirSync(join(dir, "segments")).filter((n) => n.endsWith(".jsonl")).sort()[0]!);

describe("file store layout and crash safety", () => {
  it("a torn last line is ignored on open and cut off; earlier data is intact", async () => {
    const dir = join(root, "torn");
    const s = await createFileStore(dir);
    await s.putMany([makeTrace(1), makeTrace(2)], { ids: ["a", "b"] });
    await s.close();
    const seg = segment(dir);
    const good = statSync(seg).size;
    appendFileSync(seg, '{"id":"c","created_at":"2024-01-01T00:00:00.000Z","content_hash":"x","trace":{"trace_ver');
    const s2 = await createFileStore(dir);
    expect(await s2.count()).toBe(2);
    expect(statSync(seg).size).toBe(good);
    await s2.put(makeTrace(3), { id: "c" });
    await s2.close();
    const s3 = await createFileStore(dir);
    expect((await s3.query(undefined, { orderBy: "id" })).items.map((x) => x.id)).toEqual(["a", "b", "c"]);
    await s3.close();
  });

  it("complete record lines without their commit line (crash mid-batch) are not applied", async () => {
    const dir = join(root, "uncommitted");
    const s = await createFileStore(dir);
    await s.put(makeTrace(1), { id: "kept" });
    await s.close();
    const line = readFileSync(segment(dir), "utf8").split("\n")[0]!.replace('"kept"', '"lost"');
    appendFileSync(segment(dir), line + "\n");
    const s2 = await createFileStore(dir);
    expect(await s2.get("lost")).toBe(undefined);
    expect(await s2.count()).toBe(1);
    await s2.close();
  });

  it("damage before the last commit is STORE_CORRUPT, never silently dropped", async () => {
    const dir = join(root, "corrupt");
    const s = await createFileStore(dir);
    await s.put(makeTrace(1), { id: "a" });
    await s.put(makeTrace(2), { id: "b" });
    await s.close();
    const lines = readFileSync(segment(dir), "utf8").split("\n");
    lines[0] = lines[0]!.slice(0, 20);
    writeFileSync(segment(dir), lines.join("\n"));
    await expect(createFileStore(dir)).rejects.toMatchObject({ code: "STORE_CORRUPT" });
  });

  it("a second open of the same directory gets STORE_LOCKED naming the pid; a stale lock is taken over", async () => {
    const dir = join(root, "locked");
    const s = await createFileStore(dir);
    const err = await createFileStore(dir).catch((e: unknown) => e);
    expect(isTunixError(err, "STORE_LOCKED")).toBe(true);
    expect((err as Error).message).toContain(`process ${process.pid}`);
    await s.close();
    writeFileSync(join(dir, "LOCK"), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname() }));
    const s2 = await createFileStore(dir);
    await s2.close();
  });

  it("segments roll over at segmentBytes and all stay readable", async () => {
    const dir = join(root, "roll");
    const s = await createFileStore(dir, { segmentBytes: 2000 });
    for (let i = 0; i < 10; i++) await s.putMany([makeTrace(i), makeTrace(i + 100)]);
    await s.delete((await s.query(undefined, { limit: 1 })).items[0]!.id);
    await s.close();
    expect(readdirSync(join(dir, "segments")).filter((n) => n.endsWith(".jsonl")).length).toBeGreaterThan(3);
    const s2 = await createFileStore(dir);
    expect(await s2.count()).toBe(19);
    await s2.close();
  });
});

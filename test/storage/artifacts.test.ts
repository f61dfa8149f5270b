import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryArtifactStore, openDirArtifactStore, type ArtifactStore } from "../../src/storage/index.js";
import { tempDir } from "./conformance.js";

const dir = tempDir("artifacts");
const sha = (s: string | Uint8Array): string => `sha256:${createHash("sha256").update(s).digest("hex")}`;

async function* chunks(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < 5; i++) yield new TextEncoder().encode(`chunk ${i};`);
}

const cases: [string, () => Promise<ArtifactStore>][] = [
  ["memory", async () => createMemoryArtifactStore()],
  ["dir", () => openDirArtifactStore(join(dir, `a${Math.floor(performance.now() * 1000)}`))],
];

describe.each(cases)("%s artifact store", (_name, make) => {
  it("put returns sha256 keys; get/has/delete/list by prefix", async () => {
    const s = await make();
    const a = await s.put("hello");
    expect(a).toEqual({ key: sha("hello"), size: 5 });
    expect(await s.put(new TextEncoder().encode("hello"))).toEqual(a);
    const b = await s.put(chunks());
    expect(b.key).toBe(sha("chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;"));
    expect(new TextDecoder().decode((await s.get(a.key))!)).toBe("hello");
    expect(await s.has(b.key)).toBe(true);
    const all = [];
    for await (const x of s.list()) all.push(x.key);
    expect(all).toEqual([a.key, b.key].sort());
    const some = [];
    for await (const x of s.list(a.key.slice(0, 10))) some.push(x.key);
    expect(some).toEqual([a.key]);
    expect(await s.delete(a.key)).toBe(true);
    expect(await s.delete(a.key)).toBe(false);
    expect(await s.get(a.key)).toBe(undefined);
    await s.close();
    await expect(s.get(b.key)).rejects.toMatchObject({ code: "STORE_CLOSED" });
  });

  it("rejects malformed keys, prefixes and data with INVALID_ARGUMENT", async () => {
    const s = await make();
    await expect(s.get("md5:abc")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(s.has("sha256:../../etc/passwd")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(s.put(42 as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const it = s.list("sha256:XYZ")[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await s.close();
  });
});

describe("dir artifact store", () => {
  it("a failed streamed write leaves no blob and no temp file", async () => {
    const root = join(dir, "fail");
    const s = await openDirArtifactStore(root);
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
      throw new Error("source died");
    }
    await expect(s.put(broken())).rejects.toThrow("source died");
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    const keys = [];
    for await (const x of s.list()) keys.push(x);
    expect(keys).toEqual([]);
  });
});

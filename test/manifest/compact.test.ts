import fc from "fast-check";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDataset } from "../../src/dataset/index.js";
import { sha256Hex } from "../../src/internal/hash.js";
import {
  compactDatasetManifest,
  expandDatasetManifest,
  PackedStrings,
  readDatasetManifest,
  writeManifest,
  type DatasetManifest,
} from "../../src/manifest/index.js";
import { scanManifestJson } from "../../src/manifest/scan.js";
import { createMemoryArtifactStore, createMemoryStore } from "../../src/storage/index.js";
import { fill } from "../dataset/fixtures.js";
import { hasReference, referencePath } from "../helpers/reference.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "tunix-compact-"));
const LISTS = { trace_ids: "text", content_hashes: "digest", trace_splits: "text" } as const;

/**
 * Chunks of the given sizes (cycled), all in the same memory as the file reader hands them out: the
 * buffer is scribbled over before each refill, so a piece the scanner kept from an earlier chunk
 * without copying it reads garbage.
 */
function chunked(bytes: Buffer, sizes: number[]): () => Uint8Array | undefined {
  let pos = 0;
  let k = 0;
  const buf = Buffer.alloc(Math.max(1, ...sizes));
  return () => {
    if (pos >= bytes.length) return undefined;
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    buf.fill(0x7b);
    const m = bytes.copy(buf, 0, pos, pos + n);
    pos += n;
    return buf.subarray(0, m);
  };
}

function scan(text: string, sizes: number[]): unknown {
  const out = scanManifestJson(chunked(Buffer.from(text, "utf8"), sizes), (b, start, end) => b.toString("utf8", start, end), LISTS);
  if (out === undefined) return undefined;
  for (const k of Object.keys(LISTS)) if (out[k] instanceof PackedStrings) out[k] = (out[k] as PackedStrings).toArray();
  return out;
}

async function built(): Promise<DatasetManifest> {
  const store = createMemoryStore();
  await fill(store, 200);
  return buildDataset(store, { name: "c", version: "v1", strategy: "random", seed: 3, splits: { train: 0.8, val: 0.2 } }, { now: "2026-01-01T00:00:00Z" });
}

describe("scanManifestJson", () => {
  it("equals JSON.parse for any top-level object, any layout, cut into any chunks", () => {
    const text = fc.string({ unit: "binary", maxLength: 10 });
    const manifest = fc.record(
      {
        a: fc.jsonValue({ maxDepth: 3 }),
        trace_ids: fc.array(text, { maxLength: 8 }),
        content_hashes: fc.array(fc.oneof(fc.constant(sha256Hex("x")), text), { maxLength: 4 }),
        "é \"k\"": fc.jsonValue({ maxDepth: 2 }),
        z: fc.constantFrom(null, true, 1.5e300, -0, "\u2028"),
      },
      { requiredKeys: ["trace_ids"] },
    );
    fc.assert(
      fc.property(manifest, fc.constantFrom(undefined, 0, 1, 2, "\t"), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), (m, indent, sizes) => {
        const json = JSON.stringify(m, null, indent);
        expect(scan(json, sizes)).toEqual(JSON.parse(json));
        expect(scan(`\uFEFF \n${json}\r\n`, sizes)).toEqual(JSON.parse(json));
      }),
      { numRuns: 400 },
    );
  });

  it("packs UUID ids and digests from their bytes, falling back to text for any other entry", () => {
    const uuids = Array.from({ length: 300 }, () => globalThis.crypto.randomUUID());
    const hashes = uuids.map((u) => sha256Hex(u));
    const odd = [...uuids.slice(0, 150), "t-1", uuids[0]!.toUpperCase(), "é", ...uuids.slice(150)];
    const badHash = [...hashes.slice(0, 10), hashes[10]!.toUpperCase(), ...hashes.slice(11)];
    for (const m of [{ trace_ids: uuids, content_hashes: hashes }, { trace_ids: odd, content_hashes: badHash }]) {
      const json = JSON.stringify(m, null, 2);
      for (const sizes of [[1], [37, 5], [1 << 20]]) expect(scan(json, sizes)).toEqual(m);
    }
  });

  it("keeps the last of repeated keys, reads escaped keys, and refuses what JSON.parse refuses", () => {
    expect(scan('{"trace_ids":["a"],"x":1,"trace\\u005fids":["b","c"],"x":2}', [3])).toEqual({ trace_ids: ["b", "c"], x: 2 });
    expect(scan('{"trace_ids":["a\\"b","\\ud83d\\ude00","\\\\"]}', [1])).toEqual({ trace_ids: ['a"b', "😀", "\\"] });
    for (const bad of ['{"trace_ids":["a",]}', '{"trace_ids":["a"]', '{"trace_ids":["\u0001"]}', '{"trace_ids":[1]}', '{"trace_ids":null}', "[]", '{"a":}', '{"a":1}x', '{"a" 1}', '{"a":1,}', "{\"a\":'x'}"]) {
      expect(scan(bad, [2]), bad).toBeUndefined();
    }
  });
});

describe("compact dataset manifests", () => {
  it("read compactly, they expand to exactly what the plain read gives; written, they give the same bytes", async () => {
    const dir = tmp();
    const m = await built();
    const plain = await writeManifest(m, { dir });
    const compact = await readDatasetManifest(plain.path!, { compact: true });
    expect(compact.trace_ids).toBeInstanceOf(PackedStrings);
    expect(expandDatasetManifest(compact)).toEqual(await readDatasetManifest(plain.path!));
    const again = await writeManifest(compact, { dir: tmp() });
    expect(readFileSync(again.path!, "utf8")).toBe(readFileSync(plain.path!, "utf8"));
    expect(again.sha256).toBe(plain.sha256);
    expect((await writeManifest(compact, { dir })).written).toBe(false); // same content is a no-op
    const artifacts = createMemoryArtifactStore();
    const put = await writeManifest(compactDatasetManifest(m), { artifacts });
    expect(put.artifactKey).toBe(`sha256:${plain.sha256}`);
    expect(expandDatasetManifest(await readDatasetManifest({ artifacts, key: put.artifactKey! }, { compact: true }))).toEqual(plain.manifest);
  });

  it.skipIf(!hasReference)("reads the Python manifests as the plain reader does", async () => {
    for (const name of ["test-v1.manifest.json", "dev-reasoning-v2.manifest.json"]) {
      const path = referencePath("tunix-rt", name);
      expect(expandDatasetManifest(await readDatasetManifest(path, { compact: true }))).toEqual(await readDatasetManifest(path));
    }
  });

  it("bad files fail with the plain reader's error, naming the field or position", async () => {
    const dir = tmp();
    const m = await built();
    const good = readFileSync((await writeManifest(m, { dir })).path!, "utf8");
    // [case, edited text, what the message must name]
    const cases: [string, string, RegExp][] = [
      ["syntax", good.replace('"trace_ids": [', '"trace_ids": [,'), /is not valid JSON: Unexpected token ','/],
      ["not a string", good.replace(/"trace_ids": \[\n\s*"[^"]+"/, '"trace_ids": [\n    7'), /trace_ids\[0\]: Invalid input: expected string/],
      ["count", good.replace(/\n  "trace_count": \d+/, '\n  "trace_count": 3'), /trace_count: is 3 but trace_ids lists \d+ ids/],
      ["hash", good.replace(/"content_hashes": \[\n(\s*)"[0-9a-f]{64}"/, '"content_hashes": [\n$1"XYZ"'), /content_hashes\[0\]: must be a lowercase hex sha256/],
      ["split", good.replace(/"trace_splits": \[\n(\s*)"(train|val)"/, '"trace_splits": [\n$1"test"'), /trace_splits\[0\]: names split "test" which is not in splits/],
      ["checksum", good.replace('"dataset_version": "v1"', '"dataset_version": "v2"'), /MANIFEST_CHECKSUM_MISMATCH: .*checksum is sha256:[0-9a-f]+ but the content hashes to/],
      ["kind", JSON.stringify({ run_id: "r" }), /is a training_run manifest, expected dataset|Invalid training-run manifest/],
    ];
    for (const [what, text, names] of cases) {
      expect(text, what).not.toBe(good);
      const path = join(dir, `${what}.manifest.json`);
      writeFileSync(path, text);
      const plain = await readDatasetManifest(path).then(() => "no error", (e: Error) => `${(e as { code?: string }).code}: ${e.message}`);
      const compact = await readDatasetManifest(path, { compact: true }).then(() => "no error", (e: Error) => `${(e as { code?: string }).code}: ${e.message}`);
      expect(compact, what).toBe(plain);
      expect(compact, what).toMatch(names);
    }
    await expect(readDatasetManifest(join(dir, "missing.json"), { compact: true })).rejects.toThrow("manifest not found");
  });
});

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDataset } from "../../src/dataset/index.js";
import { isTunixError } from "../../src/errors.js";
import { sha256Hex } from "../../src/internal/hash.js";
import { manifestPath, readDatasetManifest, readManifest, writeManifest } from "../../src/manifest/index.js";
import { createMemoryArtifactStore, createMemoryStore } from "../../src/storage/index.js";
import { hasReference, referencePath } from "../helpers/reference.js";
import { fill } from "../dataset/fixtures.js";
import { rejects } from "../helpers/rejects.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "tunix-manifest-"));

async function built(version = "v1", seed = 1) {
  const store = createMemoryStore();
  await fill(store, 30);
  return buildDataset(store, { name: "d", version, strategy: "random", seed, limit: 5 }, { now: "2026-11-23T00:00:00Z" });
}

describe("writeManifest / readManifest", () => {
  it("writes stable JSON with a trailing newline atomically and reads it back", async () => {
    const dir = tmp();
    const m = await built();
    const r = await writeManifest(m, { dir });
    expect(r.path).toBe(join(dir, "d-v1.manifest.json"));
    expect(r.written).toBe(true);
    const text = readFileSync(r.path!, "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.startsWith('{\n  "build_id"')).toBe(true);
    expect(sha256Hex(text)).toBe(r.sha256);
    expect(readdirSync(dir)).toEqual(["d-v1.manifest.json"]);
    expect(await readDatasetManifest(r.path!)).toEqual(m);
  });

  it("same content again is a no-op (created_at differs); different content is MANIFEST_EXISTS unless overwrite", async () => {
    const dir = tmp();
    const m = await built();
    await writeManifest(m, { dir });
    const again = await writeManifest({ ...m, created_at: "2030-01-01T00:00:00.000Z" }, { dir });
    expect(again.written).toBe(false);
    expect(again.manifest.created_at).toBe(m.created_at);
    const other = await built("v1", 2);
    const e = await rejects(writeManifest(other, { dir }));
    expect(isTunixError(e, "MANIFEST_EXISTS")).toBe(true);
    expect(e.message).toBe(`dataset manifest "d-v1" already exists at ${join(dir, "d-v1.manifest.json")} with different content (pass overwrite: true to replace it)`);
    const ow = await writeManifest(other, { dir, overwrite: true });
    expect(ow.written).toBe(true);
    expect((await readDatasetManifest(ow.path!)).fingerprint).toBe(other.fingerprint);
  });

  it("two concurrent writers of different content: exactly one wins", async () => {
    const dir = tmp();
    const [a, b] = [await built("v1", 1), await built("v1", 2)];
    const results = await Promise.allSettled([writeManifest(a, { dir }), writeManifest(b, { dir })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(["d-v1.manifest.json"]);
  });

  it("puts the same bytes into an ArtifactStore and reads them back by key", async () => {
    const artifacts = createMemoryArtifactStore();
    const m = await built();
    const r = await writeManifest(m, { artifacts });
    expect(r.artifactKey).toBe(`sha256:${r.sha256}`);
    const back = await readManifest({ artifacts, key: r.artifactKey! });
    expect(back.manifest).toEqual(m);
  });

  it("reports the exact problem on read", async () => {
    const dir = tmp();
    const bad = join(dir, "bad.manifest.json");
    writeFileSync(bad, "{ nope");
    const e1 = await rejects(readManifest(bad));
    expect(isTunixError(e1, "MANIFEST_INVALID")).toBe(true);
    expect(e1.message).toMatch(/bad\.manifest\.json is not valid JSON/);
    const e2 = await rejects(readManifest(join(dir, "missing.json")));
    expect(isTunixError(e2, "NOT_FOUND")).toBe(true);
    const m = await built();
    const r = await writeManifest(m, { dir });
    writeFileSync(r.path!, readFileSync(r.path!, "utf8").replace('\n  "trace_count": 5', '\n  "trace_count": 4'));
    const e3 = await rejects(readManifest(r.path!));
    expect(e3.message).toContain("trace_count: is 4 but trace_ids lists 5 ids");
    writeFileSync(r.path!, readFileSync(r.path!, "utf8").replace('\n  "trace_count": 4', '\n  "trace_count": 5').replace('"session_id": null', '"session_id": "x"'));
    const e4 = await rejects(readManifest(r.path!));
    expect(isTunixError(e4, "MANIFEST_CHECKSUM_MISMATCH")).toBe(true);
    const e5 = await rejects(readManifest(r.path!, "evaluation"));
    expect(isTunixError(e5, "MANIFEST_CHECKSUM_MISMATCH")).toBe(true);
  });

  it("refuses unsafe keys and missing destinations", async () => {
    expect(() => manifestPath("/x", "dataset", "../../etc/passwd")).toThrow(/must not contain path separators/);
    const e = await rejects(writeManifest(await built(), {}));
    expect(isTunixError(e, "INVALID_ARGUMENT")).toBe(true);
  });

  it("writes training-run and evaluation manifests under their own suffixes", async () => {
    const dir = tmp();
    const h = "b".repeat(64);
    const run = await writeManifest(
      {
        schema_version: 1, run_id: "r1", created_at: "2026-11-23T00:00:00Z", finished_at: null, status: "completed",
        dataset_key: null, dataset_fingerprint: h, eval_dataset_fingerprint: null, config: {}, seed: 1, tokenizer_hash: h,
        template: { name: "gemma3", sha256: h }, final_metrics: { loss: 1 }, checkpoints: [], library_version: "0.1.0", backend: "cpu", wall_time_s: 1,
      },
      { dir },
    );
    expect(run.path).toBe(join(dir, "r1.run.json"));
    expect((await readManifest(run.path!)).kind).toBe("training_run");
  });
});

describe.skipIf(!hasReference)("Python manifests through readManifest", () => {
  it("reads and re-writes test-v1 (gaining schema_version and checksum)", async () => {
    const typed = await readManifest(referencePath("tunix-rt/test-v1.manifest.json"));
    expect(typed.kind).toBe("dataset");
    const r = await writeManifest(typed.manifest, { dir: tmp() });
    const back = await readDatasetManifest(r.path!);
    expect(back.trace_ids).toEqual((typed.manifest as { trace_ids: string[] }).trace_ids);
    expect(back.checksum).toMatch(/^sha256:/);
  });
});

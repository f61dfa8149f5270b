import { describe, expect, it } from "vitest";
import { buildDataset, SAMPLER, type DatasetRequestInput } from "../../src/dataset/index.js";
import { isTunixError } from "../../src/errors.js";
import { parseDatasetManifest } from "../../src/manifest/index.js";
import { createMemoryStore, type TraceStore } from "../../src/storage/index.js";
import { fill } from "./fixtures.js";
import { rejects } from "../helpers/rejects.js";

const NOW = "2026-11-23T00:00:00.000Z";

async function memStore(n: number, order: "asc" | "shuffled" = "asc") {
  const s = createMemoryStore();
  await fill(s, n, 1, order);
  return s;
}

describe("buildDataset", () => {
  it("latest: newest first, ties broken by id, limit respected", async () => {
    const store = await memStore(50);
    const m = await buildDataset(store, { name: "d", version: "v1", strategy: "latest", limit: 5 }, { now: NOW });
    expect(m.trace_ids).toEqual(["t-000049", "t-000048", "t-000047", "t-000046", "t-000045"]);
    expect(m.dataset_key).toBe("d-v1");
    expect(m.stats.candidate_count).toBe(50);
    expect(m.seed).toBeNull();
    expect(parseDatasetManifest(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it("random: same request ⇒ same ids, order and fingerprint regardless of insertion order", async () => {
    const req: DatasetRequestInput = { name: "d", version: "v1", strategy: "random", seed: 42, limit: 20 };
    const a = await buildDataset(await memStore(300), req, { now: NOW });
    const b = await buildDataset(await memStore(300, "shuffled"), req, { now: NOW, batchSize: 7 });
    expect(a.trace_ids).toHaveLength(20);
    expect(b.trace_ids).toEqual(a.trace_ids);
    expect(b.fingerprint).toBe(a.fingerprint);
    const c = await buildDataset(await memStore(300), { ...req, seed: 43 }, { now: NOW });
    expect(c.trace_ids).not.toEqual(a.trace_ids);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it("random: a larger limit extends the smaller selection (prefix-stable ranks)", async () => {
    const store = await memStore(300);
    const small = await buildDataset(store, { name: "d", version: "v1", strategy: "random", seed: 1, limit: 10 });
    const big = await buildDataset(store, { name: "d", version: "v1", strategy: "random", seed: 1, limit: 40 });
    expect(big.trace_ids.slice(0, 10)).toEqual(small.trace_ids);
  });

  it("fingerprint ignores name/version/created_at but not filter, dedupe or parent", async () => {
    const store = await memStore(100);
    const base = { name: "d", version: "v1", strategy: "random", seed: 5, limit: 10 } as const;
    const a = await buildDataset(store, base);
    const b = await buildDataset(store, { ...base, name: "other", version: "v9", dedupe: false }, { now: "2020-01-01T00:00:00Z" });
    expect(b.fingerprint).toBe(a.fingerprint);
    const f = await buildDataset(store, { ...base, filter: { meta: "source", eq: "odd" } });
    expect(f.fingerprint).not.toBe(a.fingerprint);
    const child = await buildDataset(store, { ...base, version: "v2", parent: "d-v1" }, { parent: a });
    expect(child.trace_ids).toEqual(a.trace_ids);
    expect(child.parent_fingerprint).toBe(a.fingerprint);
    expect(child.parent_dataset_id).toBe("d-v1");
    expect(child.fingerprint).not.toBe(a.fingerprint);
  });

  it("filter is pushed to the store", async () => {
    const store = await memStore(100);
    const m = await buildDataset(store, { name: "d", version: "v1", strategy: "latest", filter: { meta: "source", eq: "odd" } });
    expect(m.trace_count).toBe(50);
    expect(m.trace_ids.every((id) => Number(id.slice(2)) % 2 === 1)).toBe(true);
    expect(m.filters).toEqual({ meta: "source", eq: "odd" });
  });

  it("dedupe keeps the best-ranked of each normalized prompt+answer group and counts the rest", async () => {
    const store = await memStore(100); // ids 9, 19, ... duplicate ids 4, 14, ...
    const all = await buildDataset(store, { name: "d", version: "v1", strategy: "latest" });
    expect(all.trace_count).toBe(100);
    const dd = await buildDataset(store, { name: "d", version: "v1", strategy: "latest", dedupe: true });
    expect(dd.trace_count).toBe(90);
    expect(dd.stats.duplicates_dropped).toBe(10);
    expect(dd.trace_ids).toContain("t-000009");
    expect(dd.trace_ids).not.toContain("t-000004");
    const lim = await buildDataset(store, { name: "d", version: "v1", strategy: "random", seed: 3, limit: 30, dedupe: true });
    const lim2 = await buildDataset(await memStore(100, "shuffled"), { name: "d", version: "v1", strategy: "random", seed: 3, limit: 30, dedupe: true }, { batchSize: 3 });
    expect(lim2.trace_ids).toEqual(lim.trace_ids);
    expect(lim2.stats).toEqual(lim.stats);
    expect(lim.trace_count).toBe(30);
  });

  it("stratified proportional: quotas follow stratum sizes by largest remainder", async () => {
    const store = await memStore(700);
    const m = await buildDataset(store, { name: "d", version: "v1", strategy: "stratified", seed: 9, limit: 70, stratify: { by: "category" } });
    expect(m.trace_count).toBe(70);
    expect(m.stats.stratum_candidates).toEqual({ edge_case: 35, golden_style: 35, reasoning: 490, synthetic: 140 });
    expect(m.stats.per_stratum).toEqual({ edge_case: 4, golden_style: 3, reasoning: 49, synthetic: 14 });
    const again = await buildDataset(await memStore(700, "shuffled"), { name: "d", version: "v1", strategy: "stratified", seed: 9, limit: 70, stratify: { by: "category" } });
    expect(again.trace_ids).toEqual(m.trace_ids);
  });

  it("stratified with explicit quotas takes only listed strata, short strata give what they have", async () => {
    const store = await memStore(70);
    const m = await buildDataset(store, {
      name: "d", version: "v1", strategy: "stratified", seed: 9,
      stratify: { by: "category", quotas: { reasoning: 3, edge_case: 100 } },
    });
    expect(m.stats.per_stratum).toEqual({ edge_case: 3, reasoning: 3 });
  });

  it("splits: assignment by content hash is stable as the dataset grows", async () => {
    const req = { name: "d", version: "v1", strategy: "latest", seed: 1, splits: { train: 0.8, val: 0.1, test: 0.1 } } as const;
    const small = await buildDataset(await memStore(200), req);
    const big = await buildDataset(await memStore(400), req);
    const bigSplit = new Map(big.trace_ids.map((id, i) => [id, big.trace_splits![i]]));
    small.trace_ids.forEach((id, i) => expect(bigSplit.get(id)).toBe(small.trace_splits![i]));
    const counts = small.stats.per_split!;
    expect(counts.train! + counts.val! + counts.test!).toBe(200);
    expect(counts.train).toBeGreaterThan(130);
    expect(Object.keys(small.splits!)).toEqual(["test", "train", "val"]);
    expect(small.splits!.train!.fingerprint).not.toBe(small.splits!.val!.fingerprint);
  });

  it("records selection details, content hashes and a valid checksum", async () => {
    const m = await buildDataset(await memStore(20), { name: "d", version: "v1", strategy: "random", seed: "s", limit: 3 });
    expect(m.selection).toMatchObject({ op: "select@1", sampler: SAMPLER, args: { strategy: "random", seed: "s", limit: 3 } });
    expect(m.content_hashes).toHaveLength(3);
    expect(m.checksum).toMatch(/^sha256:/);
    expect(m.stats).toMatchObject({ trace_count: 3 });
  });

  it("empty store gives an empty dataset", async () => {
    const m = await buildDataset(createMemoryStore(), { name: "d", version: "v1", strategy: "latest" });
    expect(m.trace_ids).toEqual([]);
    expect(m.stats).toMatchObject({ trace_count: 0, min_step_count: 0, avg_step_count: 0 });
  });
});

describe("buildDataset bad input", () => {
  const store = createMemoryStore();
  it.each([
    [{ name: "d", version: "v1", strategy: "random" }, 'seed: is required for strategy "random"'],
    [{ name: "d", version: "v1", strategy: "stratified", seed: 1, limit: 3 }, 'stratify: is required for strategy "stratified"'],
    [{ name: "d", version: "v1", strategy: "stratified", seed: 1, stratify: { by: "category" } }, "limit: is required for proportional stratification (no quotas)"],
    [{ name: "d", version: "v1", strategy: "latest", splits: { train: 0.5, val: 0.4 }, seed: 1 }, "splits: fractions must sum to 1, got 0.9"],
    [{ name: "d", version: "v1", strategy: "latest", splits: { train: 1 } }, "seed: is required when splits are requested"],
    [{ name: "d", version: "v1", strategy: "latest", filter: { meta: "x", bogus: 1 } }, "filter"],
    [{ name: "d", version: "v1", strategy: "latest", limit: 0 }, "limit: Too small"],
    [{ name: "d", version: "v1", strategy: "random", seed: 1.5 }, "seed"],
    [{ name: "d", version: "v1", strategy: "newest" }, "strategy"],
    [{ name: "d", version: "v1", strategy: "latest", extra: 1 }, "extra"],
  ])("rejects %j", async (req, text) => {
    const e = await rejects(buildDataset(store, req as DatasetRequestInput));
    expect(isTunixError(e, "DATASET_INVALID")).toBe(true);
    expect(e.message).toContain(text);
  });

  it.each(["../x", "a/b", "", "/abs", "x".repeat(200)])("rejects unsafe name %j", async (name) => {
    const e = await rejects(buildDataset(store, { name, version: "v1", strategy: "latest" }));
    expect(isTunixError(e, "DATASET_INVALID") || isTunixError(e, "UNSAFE_NAME")).toBe(true);
    expect(e.message).toMatch(/name/);
  });

  it("rejects a parent mismatch", async () => {
    const p = await buildDataset(store, { name: "p", version: "v1", strategy: "latest" });
    expect((await rejects(buildDataset(store, { name: "d", version: "v1", strategy: "latest", parent: "p-v1" }))).message).toBe(
      'request.parent "p-v1" needs its manifest in options.parent',
    );
    expect((await rejects(buildDataset(store, { name: "d", version: "v1", strategy: "latest", parent: "q-v1" }, { parent: p }))).message).toBe(
      'options.parent is dataset "p-v1" but request.parent is "q-v1"',
    );
  });

  it("rejects stratifying by a field with too many values", async () => {
    const trace = { trace_version: "1.0", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }] };
    const fake = {
      kind: "fake",
      async *stream() {
        for (let i = 0; i <= 10_000; i++) {
          yield { id: `id${i}`, created_at: NOW, content_hash: "0".repeat(64), trace: { ...trace, meta: { index: i } } };
        }
      },
    } as unknown as TraceStore;
    const e = await rejects(buildDataset(fake, { name: "d", version: "v1", strategy: "stratified", seed: 1, limit: 5, stratify: { by: "index" } }));
    expect(isTunixError(e, "DATASET_INVALID")).toBe(true);
    expect(e.message).toBe('stratify.by "index" has more than 10000 distinct values; stratify by a coarser field');
  });
});

// Golden manifests: for each request, the fingerprint and the sha256 of the manifest file writeManifest
// writes (fixed clock), pinned in golden/build.json (written by the code before the compact-build work;
// `vitest -u` rewrites it after an intended change). Ids, order, stats, splits and bytes are all covered,
// for the plain and the compact build alike.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDataset, type DatasetRequestInput } from "../../src/dataset/index.js";
import { expandDatasetManifest, writeManifest } from "../../src/manifest/index.js";
import { createMemoryStore } from "../../src/storage/index.js";
import { fill } from "./fixtures.js";
import { REQUESTS } from "./requests.js";

const MORE: DatasetRequestInput[] = [
  { name: "d", version: "all-latest", strategy: "latest" },
  { name: "d", version: "all-random", strategy: "random", seed: 1 },
  { name: "d", version: "all-dedupe", strategy: "random", seed: "s", dedupe: true, splits: { a: 0.5, b: 0.25, c: 0.25 } },
  { name: "d", version: "latest-dedupe", strategy: "latest", limit: 30, dedupe: true },
  { name: "d", version: "strat-all", strategy: "stratified", seed: 3, limit: 400, stratify: { by: "source" } },
  { name: "d", version: "strat-missing", strategy: "stratified", seed: 3, limit: 25, stratify: { by: "nope.deeper" } },
  { name: "d", version: "filtered", strategy: "latest", filter: { meta: "category", in: ["synthetic", "edge_case"] } },
];

describe("build golden manifests", () => {
  it("every request gives the pinned fingerprint and manifest bytes", async () => {
    const store = createMemoryStore();
    await fill(store, 400);
    const dir = mkdtempSync(join(tmpdir(), "tunix-build-golden-"));
    const out: Record<string, string> = {};
    for (const req of [...REQUESTS, ...MORE]) {
      const m = await buildDataset(store, req, { now: "2026-01-01T00:00:00Z" });
      const w = await writeManifest(m, { dir });
      out[req.version] = `${m.trace_count} ${m.fingerprint} ${w.sha256}`;
      // The compact build is the same manifest: same lists, same bytes.
      const c = await buildDataset(store, req, { now: "2026-01-01T00:00:00Z", compact: true });
      expect(expandDatasetManifest(c)).toEqual(m);
      expect((await writeManifest(c, { dir: join(dir, "compact") })).sha256).toBe(w.sha256);
    }
    await expect(`${JSON.stringify(out, null, 1)}\n`).toMatchFileSnapshot("./golden/build.json");
  });
});

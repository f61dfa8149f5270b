// Golden bytes of every export format and option (from the plain and the compact manifest alike): the
// sha256 of each exported JSONL file, pinned in golden/export.json (written by the code before the export
// fast paths; `vitest -u` rewrites it after an intended change). Any byte that changes fails here.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildDataset, exportDataset, writeJsonl, type ExportOptions, type WriteJsonlOptions } from "../../src/dataset/index.js";
import { compactDatasetManifest, type DatasetManifest, type DatasetManifestLike } from "../../src/manifest/index.js";
import { TRACE_FORMATS } from "../../src/render/index.js";
import type { ReasoningTrace } from "../../src/schema/index.js";
import { createMemoryStore, type TraceStore } from "../../src/storage/index.js";
import { goldenTraces, TOKEN_TRACES } from "./golden-traces.js";

const RENDER_OPTIONS: Omit<ExportOptions, "format">[] = [
  {},
  { compat: "tunix-rt" },
  { compat: "tunix-rt", systemInstruction: "Solve carefully.", bosToken: "<bos>" },
  { template: "gemma2" },
  { template: "gemma2", systemInstruction: "  Sys with spaces  " },
  { style: "xml_tags" },
  { style: "xml_tags", compat: "tunix-rt" },
  { systemInstruction: "Be brief.\n" },
  { bosToken: "" },
  { idFrom: "content" },
  { idFrom: "content", compat: "tunix-rt" },
  { split: "val" },
];
const TOKEN_OPTIONS: Omit<ExportOptions, "format">[] = [
  { controlTokens: "strip" },
  { controlTokens: "keep" },
  { controlTokens: "strip", style: "xml_tags" },
  { controlTokens: "keep", compat: "tunix-rt", systemInstruction: "<bos>sys" },
];
const JSONL_OPTIONS: WriteJsonlOptions[] = [{ python: true }, { python: true, sortKeys: true }, { python: true, ensureAscii: false }];

async function dataset(traces: ReasoningTrace[]): Promise<{ store: TraceStore; m: DatasetManifest }> {
  const store = createMemoryStore();
  const ids = traces.map((_, i) => `g-${String(i).padStart(3, "0")}`);
  await store.putMany(traces, { ids, createdAts: traces.map((_, i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()) });
  const m = await buildDataset(store, { name: "g", version: "v1", strategy: "random", seed: 5, splits: { train: 0.7, val: 0.3 } }, { now: "2026-01-01T00:00:00Z" });
  return { store, m };
}

/** sha256 of the JSONL bytes, or the error message when the export refuses; the same from the compact manifest. */
async function exported(store: TraceStore, m: DatasetManifest, options: ExportOptions, jsonl: WriteJsonlOptions = {}): Promise<string> {
  const run = async (manifest: DatasetManifestLike): Promise<string> => {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    try {
      const r = await writeJsonl(exportDataset(manifest, store, options), sink, jsonl);
      return `${r.lines} lines ${r.sha256}`;
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  const plain = await run(m);
  expect(await run(compactDatasetManifest(m)), JSON.stringify(options)).toBe(plain);
  return plain;
}

describe("export golden bytes", () => {
  it("every format × render option × JSON flavour gives the pinned bytes", async () => {
    const clean = await dataset(goldenTraces());
    const tokens = await dataset(TOKEN_TRACES);
    const out: Record<string, string> = {};
    for (const format of TRACE_FORMATS) {
      for (const o of RENDER_OPTIONS) out[`${format} ${JSON.stringify(o)}`] = await exported(clean.store, clean.m, { format, ...o });
      for (const j of JSONL_OPTIONS) out[`${format} {} ${JSON.stringify(j)}`] = await exported(clean.store, clean.m, { format }, j);
      for (const o of [{}, ...TOKEN_OPTIONS]) out[`tokens ${format} ${JSON.stringify(o)}`] = await exported(tokens.store, tokens.m, { format, ...o });
    }
    expect(Object.keys(out).length).toBe(TRACE_FORMATS.length * (RENDER_OPTIONS.length + JSONL_OPTIONS.length + TOKEN_OPTIONS.length + 1));
    await expect(`${JSON.stringify(out, null, 1)}\n`).toMatchFileSnapshot("./golden/export.json");
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTunixError } from "../../src/errors.js";
import {
  DatasetManifestSchema,
  EvaluationManifestSchema,
  TrainingRunManifestSchema,
  manifestChecksum,
  parseDatasetManifest,
  parseEvaluationManifest,
  parseManifest,
  parseTrainingRunManifest,
  stableJson,
  unsafeKeyReason,
} from "../../src/manifest/index.js";
import { hasReference, referencePath } from "../helpers/reference.js";

const H = "a".repeat(64);

function runManifest(): Record<string, unknown> {
  return {
    schema_version: 1,
    run_id: "run-001",
    created_at: "2026-11-23T19:00:00.000Z",
    dataset_fingerprint: H,
    config: { model: { nLayer: 2 }, lr: 3e-4, anything: [1, "x", null] },
    tokenizer_hash: H,
    template: { name: "gemma3", sha256: H },
    final_metrics: { loss: 1.25, val_loss: null },
    checkpoints: [{ path: "ckpt/step-100.json", sha256: H, step: 100 }],
    library_version: "0.1.0",
    backend: "wasm",
    wall_time_s: 12.5,
  };
}

function evalManifest(): Record<string, unknown> {
  return {
    schema_version: 1,
    eval_id: "eval-001",
    created_at: "2026-11-23T19:00:00+00:00",
    eval_set_sha256: H,
    template_hash: H,
    model_hash: H,
    seed: 7,
    library_version: "0.1.0",
    metrics: { exact_match: 0.5, format_compliance: 1 },
    per_category: { arithmetic: { exact_match: 0.25 } },
  };
}

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe.skipIf(!hasReference)("Python tunix-rt manifests", () => {
  it("parseDatasetManifest(test-v1) keeps the Python fields", () => {
    const raw = JSON.parse(readFileSync(referencePath("tunix-rt/test-v1.manifest.json"), "utf8"));
    const m = parseDatasetManifest(raw);
    expect(m.schema_version).toBe(1);
    expect(m.dataset_key).toBe("test-v1");
    expect(m.trace_ids).toHaveLength(3);
    expect(m.stats.avg_step_count).toBe(1);
    expect(m.fingerprint).toBeNull();
    expect(m.provenance).toMatchObject({ source: "tunix_rt_backend_api" });
    for (const [k, v] of Object.entries(raw)) expect((m as Record<string, unknown>)[k]).toEqual(v);
  });

  it("parseDatasetManifest(dev-reasoning-v2) accepts empty trace_ids and strategy 'static'", () => {
    const raw = JSON.parse(readFileSync(referencePath("tunix-rt/dev-reasoning-v2.manifest.json"), "utf8"));
    const m = parseDatasetManifest(raw);
    expect(m.selection_strategy).toBe("static");
    expect(m.trace_ids).toEqual([]);
    expect(m.trace_count).toBe(550);
    expect(m.stats.composition).toEqual(raw.stats.composition);
    expect(parseManifest(raw).kind).toBe("dataset");
  });
});

describe("DatasetManifestSchema", () => {
  const base = {
    schema_version: 1,
    dataset_key: "d-v1",
    build_id: "b",
    dataset_name: "d",
    dataset_version: "v1",
    created_at: "2026-11-23T19:00:00Z",
    selection_strategy: "latest",
    trace_ids: ["a", "b"],
    trace_count: 2,
    stats: { trace_count: 2 },
  };

  it("accepts a minimal manifest and fills defaults", () => {
    const m = DatasetManifestSchema.parse(base);
    expect(m.filters).toEqual({});
    expect(m.parent_fingerprint).toBeNull();
  });

  it("rejects a trace_count that disagrees with trace_ids, naming the field", () => {
    const e = catchErr(() => parseDatasetManifest({ ...base, trace_count: 3 }, "x.json"));
    expect(isTunixError(e, "MANIFEST_INVALID")).toBe(true);
    expect((e as Error).message).toMatchInlineSnapshot(`
      "Invalid dataset manifest in x.json
      trace_count: is 3 but trace_ids lists 2 ids"
    `);
  });

  it("rejects misaligned content_hashes and unknown split names", () => {
    const e = catchErr(() =>
      parseDatasetManifest({
        ...base,
        content_hashes: [H],
        splits: { train: { fraction: 1, count: 2, fingerprint: H } },
        trace_splits: ["train", "val"],
      }),
    );
    expect((e as Error).message).toMatchInlineSnapshot(`
      "Invalid dataset manifest
      content_hashes: has 1 entries but trace_ids has 2
      trace_splits[1]: names split "val" which is not in splits"
    `);
  });

  it("rejects an unsafe dataset_key", () => {
    const e = catchErr(() => parseDatasetManifest({ ...base, dataset_key: "../etc" }));
    expect((e as Error).message).toContain("dataset_key: must not contain path separators");
  });

  it("verifies the checksum when present", () => {
    const m = { ...DatasetManifestSchema.parse(base) } as Record<string, unknown>;
    m.checksum = manifestChecksum(m);
    expect(parseDatasetManifest(m).checksum).toBe(m.checksum);
    const e = catchErr(() => parseDatasetManifest({ ...m, trace_ids: ["a", "c"] }));
    expect(isTunixError(e, "MANIFEST_CHECKSUM_MISMATCH")).toBe(true);
  });

  it("rejects a non-object with a clear error", () => {
    const e = catchErr(() => parseManifest([1, 2]));
    expect((e as Error).message).toMatchInlineSnapshot(`"Not a manifest: expected an object with dataset_key, run_id or eval_id"`);
  });
});

describe("TrainingRunManifestSchema / EvaluationManifestSchema", () => {
  it("accept free-form config and metrics and keep unknown keys", () => {
    const r = parseTrainingRunManifest({ ...runManifest(), custom: { a: 1 } });
    expect(r.config).toEqual(runManifest().config);
    expect(r.status).toBe("completed");
    expect((r as Record<string, unknown>).custom).toEqual({ a: 1 });
    const e = parseEvaluationManifest(evalManifest());
    expect(e.metrics.exact_match).toBe(0.5);
    expect(parseManifest(runManifest()).kind).toBe("training_run");
    expect(parseManifest(evalManifest()).kind).toBe("evaluation");
  });

  it("type the core fields", () => {
    const bad = { ...runManifest(), tokenizer_hash: "xyz", final_metrics: { loss: "low" }, wall_time_s: -1 };
    const e = catchErr(() => parseTrainingRunManifest(bad));
    expect((e as Error).message).toMatchInlineSnapshot(`
      "Invalid training-run manifest
      final_metrics.loss: Invalid input: expected number, received string
      tokenizer_hash: must be a lowercase hex sha256 (64 characters)
      wall_time_s: Too small: expected number to be >=0"
    `);
    const ev = { ...evalManifest() } as Record<string, unknown>;
    delete ev.model_hash;
    expect(EvaluationManifestSchema.safeParse(ev).success).toBe(false);
    expect(TrainingRunManifestSchema.safeParse({ ...runManifest(), schema_version: 2 }).success).toBe(false);
  });
});

describe("keys and stable JSON", () => {
  it.each([
    ["", "must not be empty"],
    ["a/b", "must not contain path separators"],
    ["a\\b", "must not contain path separators"],
    ["..", "must not contain '..'"],
    ["/abs", "must not contain path separators"],
    [".hidden", "may only contain ASCII letters, digits, '.', '_' and '-', and must start with a letter or digit"],
    ["x".repeat(129), "too long: 129 characters (max 128)"],
    ["name v1", "may only contain ASCII letters, digits, '.', '_' and '-', and must start with a letter or digit"],
  ])("unsafeKeyReason(%j)", (key, reason) => {
    expect(unsafeKeyReason(key)).toBe(reason);
  });

  it("stableJson sorts keys, indents and ends with a newline", () => {
    expect(stableJson({ b: [1, { d: 1, c: "é" }], a: null, u: undefined, e: [] })).toBe(
      '{\n  "a": null,\n  "b": [\n    1,\n    {\n      "c": "é",\n      "d": 1\n    }\n  ],\n  "e": []\n}\n',
    );
  });
});

describe("canonicalSha256", () => {
  it("equals sha256(canonicalJson(v)) on varied data", async () => {
    const { canonicalSha256 } = await import("../../src/manifest/stable-json.js");
    const { hashJson } = await import("../../src/internal/hash.js");
    const values = [
      { b: 1, a: [1, undefined, null, "x\u2028\"é😀"], c: { z: undefined, y: -0, x: 1e21, w: 0.1 } },
      [],
      {},
      "s",
      { ids: Array.from({ length: 30_000 }, (_, i) => `id-${i}`) },
      { "10": 1, "9": 2, "\uffff": 3, "\u{1F600}": 4 },
    ];
    for (const v of values) expect(canonicalSha256(v)).toBe(hashJson(v));
    expect(() => canonicalSha256({ a: NaN })).toThrow("Cannot hash non-finite number NaN");
  });
});

describe("stableJsonChunks", () => {
  it("joins to stableJson and splits big arrays into ~64 KiB pieces", async () => {
    const { stableJsonChunks } = await import("../../src/manifest/stable-json.js");
    const v = { ids: Array.from({ length: 20_000 }, (_, i) => `id-${i}`), n: [1.5, null, undefined], s: "é" };
    const chunks = [...stableJsonChunks(v)];
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join("")).toBe(stableJson(v));
    expect(stableJson(v).endsWith(`"s": "é"\n}\n`)).toBe(true);
    expect(() => stableJson({ a: [Infinity] })).toThrow("Cannot hash non-finite number Infinity");
    expect(() => stableJson({ a: new Map() })).toThrow("Cannot hash an instance of Map");
  });
});

describe("DatasetManifestSchema array checks", () => {
  it("names the first bad content hash and an empty id", () => {
    const base = {
      schema_version: 1, dataset_key: "d-v1", build_id: "b", dataset_name: "d", dataset_version: "v1",
      created_at: "2026-11-23T19:00:00Z", selection_strategy: "latest", trace_ids: ["a", ""], trace_count: 2,
      stats: { trace_count: 2 }, content_hashes: [H, "XYZ"],
    };
    const e = catchErr(() => parseDatasetManifest(base));
    expect((e as Error).message).toMatchInlineSnapshot(`
      "Invalid dataset manifest
      content_hashes[1]: must be a lowercase hex sha256 (64 characters)
      trace_ids[1]: must not be empty"
    `);
  });
});

/**
 * Pins `content_hash` (sha256 of the canonical trace JSON): existing stores and dataset fingerprints depend
 * on these exact values, so any write-path optimisation must reproduce them byte for byte. The values were
 * computed before the putMany fast path was rewritten (and ref0 agrees with Python's
 * `json.dumps(t, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`).
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/internal/canonical-json.js";
import { parseTrace } from "../../src/schema/index.js";
import { createMemoryStore } from "../../src/storage/index.js";
import { makeTrace } from "../../src/storage/conformance/index.js";
import { hasReference, referencePath } from "../helpers/reference.js";

const CASES: [string, unknown, string][] = [
  ["fixture", makeTrace(7, { category: "math", level: 2 }), "7b9f434018607b548072305fbb111c556a12dcc1da67ca95be7a104dc05d2c87"],
  [
    "unicode, step extras, nested meta",
    makeTrace(1, { "ключ": "Ünïcödé 数学 🙂 \u0000 \u2028 \\ \" '", emoji: "🙂", z: null }, {
      prompt: "数学 🙂\n\t\"q\"",
      steps: [
        { i: 3, type: "🙂", content: "x\u0000y", note: { b: 1, a: [true, 1.5, -0, 1e21] } },
        { i: 1, type: "t", content: "c" },
      ],
    }),
    "5ad85a23c05dbaf41023e4b64fcb1c35ecaa00dbe7cb622810152ad3a97a88c5",
  ],
  [
    "integer-like keys, unknown keys, shuffled key order",
    {
      b_unknown: [1, { y: 2, x: 1 }],
      trace_version: "2.0",
      "10": "ten",
      "9": "nine",
      prompt: "p",
      final_answer: "a",
      steps: [{ content: "c", type: "t", i: 0, "2": 2, "10": 10 }],
      meta: { "3": 3, "20": 20, b: { d: 1, c: [{ f: 1, e: 2 }] }, a: 1.25 },
    },
    "0871479600984b9edb0d4886a2a9b25ee287e3f2c7326b500c292449ac9ed500",
  ],
  ["no meta", { trace_version: "1.0", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }] }, "87eb4638524f299c7d67abf7ce76ab0abcc315700c239699ab98fac78ac74252"],
  ["meta null", { trace_version: "1.0", prompt: "p", final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }], meta: null }, "e7f1d9fbac93141beab19e60a4bdeb71fb675a371246fa198fabed5779befc26"],
  [
    "zod path (60k UTF-16 units, 30k code points)",
    { trace_version: "1.0", prompt: "🙂".repeat(30_000), final_answer: "a", steps: [{ i: 0, type: "t", content: "c" }], meta: { k: "v" } },
    "fdbbe235837547930d59a4215087683978dcacee60d405e7a0506ff56abb15f1",
  ],
];

describe("content_hash", () => {
  it("put and putMany give the pinned hashes, equal to sha256(canonicalJson(parseTrace(x)))", async () => {
    const store = createMemoryStore();
    const many = await store.putMany(CASES.map((c) => c[1]));
    for (const [i, [name, trace, hash]] of CASES.entries()) {
      expect([name, (await store.put(trace)).content_hash]).toEqual([name, hash]);
      expect([name, many.stored[i]!.content_hash]).toEqual([name, hash]);
      expect([name, createHash("sha256").update(canonicalJson(parseTrace(trace))).digest("hex")]).toEqual([name, hash]);
    }
    await store.close();
  });

  it.skipIf(!hasReference)("the reference dataset hashes as before (first two pinned, all 550 digested)", async () => {
    const traces = readFileSync(referencePath("tunix-rt", "dev-reasoning-v2.dataset.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown);
    const store = createMemoryStore();
    const hashes = (await store.putMany(traces)).stored.map((s) => s.content_hash);
    expect(hashes.slice(0, 2)).toEqual(["cfc41f0c8f933451ab3b90e41587e1375340015099e4de7c327d05fffc41e72b", "2c44e787e6636473f217f6668c64c91bd090ffca0abc0208dbcd78b6681ed126"]);
    expect(createHash("sha256").update(hashes.join("\n")).digest("hex")).toBe("9c71b504ebc05804d4670bb9d0521372a479455c774c00cbedca6ba903442349");
    await store.close();
  });
});

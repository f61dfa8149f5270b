import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parseTrace,
  parseTraceJsonl,
  safeParseTrace,
  traceJsonSchema,
  isTunixError,
  TraceValidationError,
} from "../../src/index.js";
import { hasReference, referencePath } from "../helpers/reference.js";

const valid = {
  trace_version: "1.0",
  prompt: "What is 2 + 2?",
  final_answer: "4",
  steps: [{ i: 0, type: "calculation", content: "2 + 2 = 4" }],
  meta: { source: "test" },
};

describe("parseTrace", () => {
  it("returns a typed trace for valid input", () => {
    expect(parseTrace(valid)).toEqual(valid);
  });

  it("keeps unknown keys at the top level and in steps", () => {
    const input = { ...valid, extra: { a: 1 }, steps: [{ ...valid.steps[0], note: "kept" }] };
    expect(parseTrace(input)).toEqual(input);
  });

  it("accepts meta null or absent", () => {
    expect(parseTrace({ ...valid, meta: null }).meta).toBeNull();
    const { meta: _m, ...noMeta } = valid;
    expect(parseTrace(noMeta)).toEqual(noMeta);
  });

  it("lists every failing path in the error", () => {
    const bad = {
      ...valid,
      prompt: "",
      steps: [valid.steps[0], { i: 0, type: "x", content: "" }, { i: -1, type: "", content: "y" }],
    };
    let error: unknown;
    try {
      parseTrace(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TraceValidationError);
    expect(isTunixError(error, "TRACE_INVALID")).toBe(true);
    expect((error as Error).message).toMatchInlineSnapshot(`
      "Invalid reasoning trace
      prompt: must not be empty
      steps[1].content: must not be empty
      steps[1].i: duplicate step index 0 (also at steps[0])
      steps[2].i: Too small: expected number to be >=0
      steps[2].type: must not be empty"
    `);
  });

  it("counts lengths in code points, not UTF-16 units", () => {
    const emoji = "😀".repeat(64); // 64 code points, 128 UTF-16 units
    expect(parseTrace({ ...valid, trace_version: emoji }).trace_version).toBe(emoji);
    const r = safeParseTrace({ ...valid, trace_version: emoji + "x" });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.message).toContain("trace_version: too long: 65 characters (max 64)");
  });

  it("rejects non-objects, wrong types and too many steps with named paths", () => {
    expect(() => parseTrace(null)).toThrow(/\(root\)/);
    expect(() => parseTrace({ ...valid, steps: "nope" })).toThrow(/steps: /);
    const many = Array.from({ length: 1001 }, (_, i) => ({ i, type: "t", content: "c" }));
    expect(() => parseTrace({ ...valid, steps: many })).toThrow(/steps: must have at most 1000 steps/);
    expect(() => parseTrace({ ...valid, steps: [] })).toThrow(/steps: must have at least 1 step/);
    expect(() => parseTrace({ ...valid, meta: [1, 2] })).toThrow(/meta: /);
    expect(() => parseTrace({ ...valid, steps: [{ i: 1.5, type: "t", content: "c" }] })).toThrow(/steps\[0\]\.i/);
  });
});

describe("parseTraceJsonl", () => {
  it("returns valid traces and per-line errors with 1-based line numbers", () => {
    const text = [JSON.stringify(valid), "{not json", "", JSON.stringify({ ...valid, final_answer: "" }), JSON.stringify(valid)].join("\n");
    const r = parseTraceJsonl(text);
    expect(r.traces).toHaveLength(2);
    expect(r.lines).toEqual([1, 5]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 4]);
    expect(r.errors[0]!.issues[0]!.message).toMatch(/^invalid JSON/);
    expect(r.errors[1]!.issues[0]).toMatchObject({ path: ["final_answer"], line: 4 });
  });

  it("throws INVALID_ARGUMENT on non-string input", () => {
    let error: unknown;
    try {
      parseTraceJsonl(42 as unknown as string);
    } catch (e) {
      error = e;
    }
    expect(isTunixError(error, "INVALID_ARGUMENT")).toBe(true);
    expect((error as Error).message).toBe("parseTraceJsonl expects a string, got number");
  });
});

describe.skipIf(!hasReference)("Python tunix-rt dataset compatibility", () => {
  it("parses all 550 traces of dev-reasoning-v2 and re-serializes them to the same JSON values", () => {
    const text = readFileSync(referencePath("tunix-rt", "dev-reasoning-v2.dataset.jsonl"), "utf8");
    const r = parseTraceJsonl(text);
    expect(r.errors).toEqual([]);
    expect(r.traces).toHaveLength(550);
    const originals = text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    r.traces.forEach((t, i) => expect(JSON.parse(JSON.stringify(t))).toEqual(originals[i]));
  });
});

describe("traceJsonSchema", () => {
  it("exports a JSON Schema with the field limits", () => {
    const s = traceJsonSchema() as any;
    expect(s.type).toBe("object");
    expect(s.required).toEqual(expect.arrayContaining(["trace_version", "prompt", "final_answer", "steps"]));
    expect(s.properties.prompt.maxLength).toBe(50000);
    expect(s.properties.steps.items.properties.content.maxLength).toBe(20000);
    expect(s.properties.steps.maxItems).toBe(1000);
  });
});

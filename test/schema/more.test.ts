import { describe, expect, it } from "vitest";
import {
  ChatMessageSchema,
  formatIssues,
  formatPath,
  isTunixError,
  MAX_PROMPT_CHARS,
  MAX_STEP_CONTENT_CHARS,
  parseTrace,
  parseTraceJsonl,
  parseTraceLine,
  PromptCompletionSchema,
  safeParseTrace,
  traceJsonSchema,
  TrainingExampleSchema,
  TraceValidationError,
} from "../../src/index.js";

const valid = {
  trace_version: "1.0",
  prompt: "What is 2 + 2?",
  final_answer: "4",
  steps: [{ i: 0, type: "calculation", content: "2 + 2 = 4" }],
};

describe("length limits count code points", () => {
  it("accepts exactly the limit in astral characters and rejects one more", () => {
    const atLimit = "\u{1F600}".repeat(MAX_PROMPT_CHARS);
    expect(parseTrace({ ...valid, prompt: atLimit }).prompt).toBe(atLimit);
    const r = safeParseTrace({ ...valid, prompt: `${atLimit}x` });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.message).toContain(`prompt: too long: ${MAX_PROMPT_CHARS + 1} characters (max ${MAX_PROMPT_CHARS})`);
    const step = { i: 0, type: "t", content: "a".repeat(MAX_STEP_CONTENT_CHARS + 1) };
    expect(() => parseTrace({ ...valid, steps: [step] })).toThrow(/steps\[0\]\.content: too long: 20001 characters \(max 20000\)/);
  });
});

describe("safeParseTrace", () => {
  it("returns {success, data} or {success: false, error} without throwing", () => {
    expect(safeParseTrace(valid)).toEqual({ success: true, data: valid });
    const r = safeParseTrace("nope");
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error).toBeInstanceOf(TraceValidationError);
      expect(r.error.issues[0]!.path).toEqual([]);
    }
  });

  it("reports wrong types by path", () => {
    const r = safeParseTrace({ ...valid, trace_version: 1, steps: [{ i: "0", type: "t", content: "c" }] });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["trace_version", "steps.0.i"]));
  });
});

describe("parseTraceJsonl details", () => {
  it("accepts a BOM and CRLF line ends, skips blank lines and keeps line numbers", () => {
    const text = `\uFEFF${JSON.stringify(valid)}\r\n\r\n${JSON.stringify({ ...valid, prompt: "Q2" })}\r\n`;
    const r = parseTraceJsonl(text);
    expect(r.errors).toEqual([]);
    expect(r.lines).toEqual([1, 3]);
    expect(r.traces[1]!.prompt).toBe("Q2");
  });

  it("parseTraceLine: blank → undefined, valid → trace, invalid → issues with the line", () => {
    expect(parseTraceLine("   ", 3)).toBeUndefined();
    expect(parseTraceLine(JSON.stringify(valid), 1)).toEqual({ trace: valid });
    const bad = parseTraceLine(JSON.stringify({ ...valid, steps: [] }), 9);
    expect(bad).toMatchObject({ line: 9, issues: [{ path: ["steps"], line: 9 }] });
  });

  it("parseTraceLine rejects wrong argument types", () => {
    for (const [raw, line, message] of [
      [null, 1, "parseTraceLine expects a string, got null"],
      ["{}", 0, "parseTraceLine: line must be a positive integer, got 0"],
    ] as const) {
      let error: unknown;
      try {
        parseTraceLine(raw as never, line);
      } catch (e) {
        error = e;
      }
      expect(isTunixError(error, "INVALID_ARGUMENT")).toBe(true);
      expect((error as Error).message).toBe(message);
    }
  });
});

describe("message schemas", () => {
  it("ChatMessage accepts the four roles only", () => {
    for (const role of ["system", "user", "assistant", "model"]) expect(ChatMessageSchema.parse({ role, content: "" })).toEqual({ role, content: "" });
    expect(ChatMessageSchema.safeParse({ role: "tool", content: "x" }).success).toBe(false);
    expect(ChatMessageSchema.safeParse({ role: "user", content: 1 }).success).toBe(false);
  });

  it("TrainingExample matches the Python model: metadata defaults to {}, unknown keys kept", () => {
    expect(TrainingExampleSchema.parse({ id: "a", prompt: "p", response: "r", extra: 1 })).toEqual({ id: "a", prompt: "p", response: "r", metadata: {}, extra: 1 });
    expect(TrainingExampleSchema.safeParse({ id: "a", prompt: "", response: "r" }).success).toBe(false);
  });

  it("PromptCompletion requires both strings", () => {
    expect(PromptCompletionSchema.safeParse({ prompt: "p" }).success).toBe(false);
  });
});

describe("traceJsonSchema", () => {
  it("is plain JSON and describes unknown keys as allowed", () => {
    const s = traceJsonSchema();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.additionalProperties === undefined || s.additionalProperties !== false).toBe(true);
    expect(s.title).toBe("ReasoningTrace");
  });
});

describe("error helpers", () => {
  it("formatPath and formatIssues render paths and reject non-arrays", () => {
    expect(formatPath(["steps", 3, "content"])).toBe("steps[3].content");
    expect(formatPath([])).toBe("(root)");
    expect(formatPath(["meta", "a-b"])).toBe('meta["a-b"]');
    expect(formatIssues([{ code: "x", path: ["b"], message: "m2", line: 2 }, { code: "x", path: ["a"], message: "m1", line: 1 }])).toBe("line 1: a: m1\nline 2: b: m2");
    for (const f of [() => formatPath("steps" as never), () => formatIssues(null as never)]) {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(isTunixError(error, "INVALID_ARGUMENT")).toBe(true);
    }
  });
});

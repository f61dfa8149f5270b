import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTunixError, loadEvalSet, parseEvalSetText, type TunixError } from "../../src/index.js";
import { hasReference, referencePath } from "../helpers/reference.js";

const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<TunixError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (isTunixError(e)) return e;
    throw e;
  }
  throw new Error("expected a TunixError");
}

describe.skipIf(!hasReference)("Python tunix-rt eval sets", () => {
  it("loads eval_v1.jsonl unchanged (25 items) with sha256 equal to the file's", async () => {
    const path = referencePath("tunix-rt", "eval_v1.jsonl");
    const set = await loadEvalSet(path);
    expect(set.name).toBe("eval_v1");
    expect(set.items).toHaveLength(25);
    expect(set.sha256).toBe(sha(readFileSync(path)));
    expect(set.items[0]).toEqual({ id: "eval-001", prompt: "What is 15 + 27?", expected_answer: "42", category: "arithmetic", difficulty: "easy" });
  });

  it("loads eval_v2.jsonl (100 items, sections) and keeps every field", async () => {
    const path = referencePath("tunix-rt", "eval_v2.jsonl");
    const set = await loadEvalSet(path);
    expect(set.items).toHaveLength(100);
    expect(new Set(set.items.map((i) => i.section))).toEqual(new Set(["core", "trace_sensitive", "edge_case"]));
    const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(set.items).toEqual(lines);
  });

  it("fingerprint ignores item order and formatting; sha256 does not", async () => {
    const text = readFileSync(referencePath("tunix-rt", "eval_v2.jsonl"), "utf8");
    const a = parseEvalSetText(text);
    const reversed = text.trim().split("\n").reverse().map((l) => JSON.stringify(JSON.parse(l), null, 0)).join("\n");
    const b = parseEvalSetText(reversed);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.sha256).not.toBe(a.sha256);
    const c = await loadEvalSet([...a.items].reverse());
    expect(c.fingerprint).toBe(a.fingerprint);
  });
});

describe("loadEvalSet sources", () => {
  const line = (o: object) => JSON.stringify(o);
  const good = [line({ id: "a", prompt: "p1", expected_answer: "1" }), line({ id: "b", prompt: "p2", expected_answer: "2", meta: { x: 1 } })];

  it("reads { text }, an iterable of objects, an iterable of lines and an async iterable", async () => {
    const t = await loadEvalSet({ text: good.join("\r\n") + "\n\n" }, { name: "mini" });
    expect(t.name).toBe("mini");
    expect(t.items.map((i) => i.id)).toEqual(["a", "b"]);
    const objs = await loadEvalSet(good.map((l) => JSON.parse(l)));
    const lines = await loadEvalSet(good);
    async function* gen() {
      for (const l of good) yield JSON.parse(l);
    }
    const asyncSet = await loadEvalSet(gen());
    expect(objs.fingerprint).toBe(t.fingerprint);
    expect(lines.fingerprint).toBe(t.fingerprint);
    expect(asyncSet.sha256).toBe(objs.sha256);
  });

  it("keeps unknown keys and accepts a BOM", () => {
    const set = parseEvalSetText("\uFEFF" + line({ id: "a", prompt: "p", expected_answer: "x", source: "hand" }));
    expect(set.items[0]).toMatchObject({ source: "hand" });
  });

  it("names a missing file with NOT_FOUND", async () => {
    const e = await errorOf(loadEvalSet(join(tmpdir(), "no-such-eval-set.jsonl")));
    expect(e.code).toBe("NOT_FOUND");
  });

  it("reads a real file by path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tunix-eval-"));
    const path = join(dir, "mine.jsonl");
    writeFileSync(path, good.join("\n") + "\n");
    const set = await loadEvalSet(path);
    expect(set.name).toBe("mine");
    expect(set.sha256).toBe(sha(good.join("\n") + "\n"));
  });
});

describe("loadEvalSet errors name every bad line", () => {
  it("collects invalid JSON, missing/empty/non-string fields and duplicate ids", async () => {
    const text = [
      JSON.stringify({ id: "a", prompt: "p", expected_answer: "1" }),
      "{not json",
      JSON.stringify({ id: "b", expected_answer: "1" }),
      JSON.stringify({ id: "c", prompt: "  ", expected_answer: "1" }),
      JSON.stringify({ id: "d", prompt: "p", expected_answer: 7 }),
      JSON.stringify({ id: "a", prompt: "q", expected_answer: "2" }),
      JSON.stringify({ id: "", prompt: "q", expected_answer: "2", category: "" }),
    ].join("\n");
    const e = await errorOf(() => parseEvalSetText(text, { name: "bad" }));
    expect(e.code).toBe("EVAL_SET_INVALID");
    expect(e.message.replace(/invalid JSON: .*/, "invalid JSON: …")).toMatchInlineSnapshot(`
      "Invalid eval set "bad": 7 problem(s)
      line 2: (root): invalid JSON: …
      line 3: prompt: prompt is required
      line 4: prompt: prompt must not be empty
      line 5: expected_answer: expected_answer must be a string
      line 6: id: duplicate id "a" (first at line 1)
      line 7: category: category must not be empty
      line 7: id: id must not be empty"
    `);
    expect(e.issues.every((i) => typeof i.line === "number")).toBe(true);
  });

  it("rejects an empty eval set and enforces minItems", async () => {
    const empty = await errorOf(() => parseEvalSetText("\n\n"));
    expect(empty.message).toMatchInlineSnapshot(`
      "Invalid eval set "eval-set": 1 problem(s)
      (root): eval set is empty (min_items 1)"
    `);
    const few = await errorOf(loadEvalSet([{ id: "a", prompt: "p", expected_answer: "1" }], { minItems: 3 }));
    expect(few.issues[0]!.message).toBe("eval set has 1 items (min_items 3)");
  });

  it("rejects a non-object item in an iterable with its position", async () => {
    const e = await errorOf(loadEvalSet([{ id: "a", prompt: "p", expected_answer: "1" }, 42]));
    expect(e.issues[0]).toMatchObject({ line: 2, code: "invalid_type" });
  });

  it("rejects a non-source argument", async () => {
    const e = await errorOf(loadEvalSet(42 as never));
    expect(e.code).toBe("INVALID_ARGUMENT");
  });
});

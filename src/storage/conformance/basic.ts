/** Conformance group "basic": put/get/delete round trips, ids, hashes, validation errors. */
import { hashJson } from "../../internal/hash.js";
import { expectError, type Ctx } from "./harness.js";
import { makeTrace } from "./fixtures.js";

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Registers the basic tests. */
export function basicTests({ test, expect }: Ctx): void {
  test("put(trace) returns {id, created_at, content_hash, trace} and get(id) returns the same", async (open) => {
    const store = await open();
    const input = makeTrace(1, { category: "math", n: 1 }, { extra_key: { kept: [1, "two"] } });
    const stored = await store.put(input);
    expect(stored.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(stored.created_at).toMatch(ISO_MS);
    expect(stored.content_hash).toBe(hashJson(input));
    expect(stored.trace).toEqual(input);
    expect(await store.get(stored.id)).toEqual(stored);
  });

  test("put(trace, {id}) keeps the caller id; get(missing) is undefined", async (open) => {
    const store = await open();
    const s = await store.put(makeTrace(2), { id: "my-id:1/u" });
    expect(s.id).toBe("my-id:1/u");
    expect((await store.get("my-id:1/u"))?.id).toBe("my-id:1/u");
    expect(await store.get("nope")).toBe(undefined);
    expect(await store.count()).toBe(1);
  });

  test("put(trace, {id: existing}) rejects with STORE_CONFLICT naming the id", async (open) => {
    const store = await open();
    await store.put(makeTrace(1), { id: "dup" });
    const err = await expectError(() => store.put(makeTrace(2), { id: "dup" }), "STORE_CONFLICT");
    expect(err.message).toMatch(/"dup" already exists/);
    expect((await store.get("dup"))!.trace).toEqual(makeTrace(1));
  });

  test("put(invalid) rejects with TRACE_INVALID naming the field", async (open) => {
    const store = await open();
    const bad = makeTrace(1, {}, { steps: [{ i: 0, type: "x", content: "" }] });
    const err = await expectError(() => store.put(bad), "TRACE_INVALID");
    expect(err.message).toMatch(/steps\[0\]\.content/);
    await expectError(() => store.put("not a trace"), "TRACE_INVALID");
    await expectError(() => store.put(makeTrace(1), { id: "has space" }), "INVALID_ARGUMENT");
    await expectError(() => store.put(makeTrace(1), { createdAt: "yesterday" }), "INVALID_ARGUMENT");
    expect(await store.count()).toBe(0);
  });

  test("put(trace, {createdAt}) normalises to UTC milliseconds", async (open) => {
    const store = await open();
    const s = await store.put(makeTrace(1), { createdAt: "2024-03-01T10:00:00+02:00" });
    expect(s.created_at).toBe("2024-03-01T08:00:00.000Z");
    expect((await store.get(s.id))!.created_at).toBe("2024-03-01T08:00:00.000Z");
  });

  test("content_hash ignores key order and differs for different traces", async (open) => {
    const store = await open();
    const a = makeTrace(1, { x: 1, y: 2 });
    const b = { meta: { y: 2, x: 1 }, steps: a.steps, final_answer: a.final_answer, prompt: a.prompt, trace_version: a.trace_version };
    const [sa, sb, sc] = [await store.put(a), await store.put(b), await store.put(makeTrace(2))];
    expect(sa.content_hash).toBe(sb.content_hash);
    expect(sa.content_hash === sc.content_hash).toBe(false);
    expect((await store.get(sb.id))!.trace).toEqual(b);
  });

  test("getMany(ids) returns traces index for index, undefined where missing", async (open) => {
    const store = await open();
    const { stored } = await store.putMany([makeTrace(1), makeTrace(2)], { ids: ["a", "b"] });
    const got = await store.getMany(["b", "zzz", "a", "b"]);
    expect(got.map((g) => g?.id)).toEqual(["b", undefined, "a", "b"]);
    expect(got[2]).toEqual(stored[0]);
  });

  test("delete(id) is true once, then false; the trace is gone", async (open) => {
    const store = await open();
    const s = await store.put(makeTrace(1));
    expect(await store.delete(s.id)).toBe(true);
    expect(await store.delete(s.id)).toBe(false);
    expect(await store.get(s.id)).toBe(undefined);
    expect(await store.count()).toBe(0);
    await store.put(makeTrace(1), { id: s.id });
    expect(await store.count()).toBe(1);
  });

  test("returned traces are copies: mutating them never changes the store", async (open) => {
    const store = await open();
    const input = makeTrace(1, { tags: { a: 1 } });
    const s = await store.put(input);
    (s.trace.meta as Record<string, Record<string, number>>).tags!.a = 99;
    (input.meta as Record<string, Record<string, number>>).tags!.a = 98;
    const got = await store.get(s.id);
    (got!.trace.steps[0] as { content: string }).content = "changed";
    expect(((await store.get(s.id))!.trace.meta as Record<string, unknown>).tags).toEqual({ a: 1 });
    expect((await store.get(s.id))!.trace.steps[0]!.content).toBe("1 + 1 = 2");
    expect(await store.count({ meta: "tags.a", eq: 1 })).toBe(1);
  });

  test("every method rejects with STORE_CLOSED after close(); close() is idempotent", async (open) => {
    const store = await open();
    await store.put(makeTrace(1));
    await store.close();
    await store.close();
    await expectError(() => store.put(makeTrace(1)), "STORE_CLOSED");
    await expectError(() => store.get("x"), "STORE_CLOSED");
    await expectError(() => store.count(), "STORE_CLOSED");
    await expectError(() => store.query(), "STORE_CLOSED");
    await expectError(() => store.stream(), "STORE_CLOSED");
  });
}

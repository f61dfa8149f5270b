import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recordLine, splitRecordLine } from "../../src/storage/file-segments.js";

const hash = "ab".repeat(32);
const body = JSON.stringify({ trace_version: "1.0", prompt: "é \"q\"", steps: [{ i: 0, content: "x" }], final_answer: "4", meta: { n: 1 } });
const times = ["2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05.679Z"];

describe("splitRecordLine", () => {
  it("splits the lines recordLine writes, for any printable id (quotes and backslashes too)", () => {
    const id = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
    fc.assert(
      fc.property(id, fc.constantFrom(...times), fc.boolean(), (i, t, newline) => {
        const line = recordLine(i, t, hash, body);
        const parts = splitRecordLine(Buffer.from(newline ? line : line.slice(0, -1), "utf8"), i);
        expect(parts).toEqual({ id: i, created_at: t, content_hash: hash, trace: body });
      }),
    );
  });

  it("gives each line its own creation time when consecutive lines differ", () => {
    const got = [times[0]!, times[1]!, times[1]!, times[0]!].map((t, k) => splitRecordLine(Buffer.from(recordLine(`id-${k}`, t, hash, body)), `id-${k}`)!.created_at);
    expect(got).toEqual([times[0], times[1], times[1], times[0]]);
  });

  it("refuses a line of another id, or a damaged one", () => {
    const line = Buffer.from(recordLine("abc", times[0]!, hash, body));
    expect(splitRecordLine(line, "abd")).toBeUndefined();
    expect(splitRecordLine(line, "ab")).toBeUndefined();
    expect(splitRecordLine(line.subarray(0, 60), "abc")).toBeUndefined();
    expect(splitRecordLine(Buffer.from(line.toString("latin1").replace('"content_hash"', '"content_hasx"'), "latin1"), "abc")).toBeUndefined();
  });

  it("reads a record line laid out by another writer through JSON.parse", () => {
    const other = `{ "trace": ${body}, "content_hash": "${hash}", "id": "x\\"y", "created_at": "${times[0]}" }\n`;
    expect(splitRecordLine(Buffer.from(other, "utf8"), 'x"y')).toEqual({ id: 'x"y', created_at: times[0], content_hash: hash, trace: body });
  });
});

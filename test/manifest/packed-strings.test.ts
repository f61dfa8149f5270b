import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/internal/hash.js";
import { PackedStrings, PackedStringsBuilder } from "../../src/manifest/index.js";

const entry = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) }, // astral text and lone surrogates
  { weight: 1, arbitrary: fc.constantFrom("", "é", "🙂", "\ud800", "x\udc00y", "a".repeat(30_000), "é".repeat(22_000)) },
);

describe("PackedStrings", () => {
  it("gives back exactly the strings it was given, in order, with Array.prototype.at semantics", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), fc.array(fc.oneof(fc.integer({ min: -70, max: 70 }), fc.constant(Number.NaN), fc.double())), (strings, probes) => {
        const packed = PackedStrings.from(strings);
        expect(packed.length).toBe(strings.length);
        expect(packed.toArray()).toEqual(strings);
        expect([...packed]).toEqual(strings);
        for (const p of probes) expect(packed.at(p)).toBe(strings.at(p));
        expect(JSON.stringify(packed)).toBe(JSON.stringify(strings));
        for (const sep of [",", ",\n    "]) expect(Buffer.concat([...packed.jsonChunks(sep)]).toString("utf8")).toBe(strings.map((x) => JSON.stringify(x)).join(sep));
        for (const x of ["", strings[0] ?? "none", "🙂"]) expect(packed.indexOf(x)).toBe(strings.indexOf(x));
      }),
      { numRuns: 300 },
    );
  });

  it("select() views share the bytes and compose", () => {
    const strings = Array.from({ length: 500 }, (_, i) => `id-${i}-${"é".repeat(i % 3)}`);
    const packed = PackedStrings.from(strings);
    const rev = packed.select(strings.map((_, i) => strings.length - 1 - i));
    expect(rev.toArray()).toEqual([...strings].reverse());
    const odd = rev.select([1, 3, 5]);
    expect(odd.toArray()).toEqual([strings[498], strings[496], strings[494]]);
    expect(() => packed.select([0, 500])).toThrow("PackedStrings.select: index 500 at position 1 is out of range 0..499");
  });

  it("stores hex digests in 32 bytes and falls back to text for anything else", () => {
    const digests = Array.from({ length: 70_000 }, (_, i) => sha256Hex(String(i)));
    const packed = PackedStrings.from(digests, "digest");
    expect(packed.encoding).toBe("digest");
    expect(packed.toArray()).toEqual(digests);
    expect(Buffer.concat([...packed.select([9, 3]).jsonChunks(",")]).toString()).toBe(`"${digests[9]}","${digests[3]}"`);
    const mixed = [...digests.slice(0, 5), "NOT-A-DIGEST", digests[5]!.toUpperCase(), ...digests.slice(6, 9)];
    expect(PackedStrings.from(mixed, "digest").toArray()).toEqual(mixed);
    expect(PackedStrings.from(mixed, "digest").encoding).toBe("text");
  });

  it("stores canonical UUIDs in 16 bytes and falls back to text for anything else", () => {
    const uuids = Array.from({ length: 70_000 }, () => globalThis.crypto.randomUUID());
    const packed = PackedStrings.from(uuids, "uuid");
    expect(packed.encoding).toBe("uuid");
    expect(packed.toArray()).toEqual(uuids);
    expect(Buffer.concat([...packed.jsonChunks(",\n  ")]).toString()).toBe(uuids.map((u) => JSON.stringify(u)).join(",\n  "));
    for (const odd of [uuids[0]!.toUpperCase(), uuids[0]!.replaceAll("-", ""), `${uuids[0]!.slice(0, 35)}g`, "t-000001", ""]) {
      const mixed = [uuids[1]!, odd, uuids[2]!];
      const list = PackedStrings.from(mixed, "uuid");
      expect(list.encoding).toBe("text");
      expect(list.toArray()).toEqual(mixed);
      expect(list.indexOf("")).toBe(mixed.indexOf(""));
    }
  });

  it("spans many blocks; a builder reads back while appending and a finished list stays fixed", () => {
    const b = new PackedStringsBuilder();
    const strings = Array.from({ length: 60_000 }, (_, i) => `${i}-${"x".repeat(i % 97)}`);
    expect(strings.map((s) => b.push(s))).toEqual(strings.map((_, i) => i));
    expect(b.get(12_345)).toBe(strings[12_345]);
    const done = b.finish();
    b.push("later é");
    expect(done.length).toBe(60_000);
    expect(done.toArray()).toEqual(strings);
    expect(b.finish().at(-1)).toBe("later é");
  });
});

/**
 * The file store's in-memory index pieces against plain JS references: IdPool (UUID packing keeps string
 * order), SlotTable (a Set), SlotOrder (a sort), FileIndex (a Map of entries), and metaNeedles (never
 * rules out a trace matchesFilter accepts). Seeded fast-check runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FileIndex, type FileEntry } from "../../src/storage/file-index.js";
import { IdPool, PACKED_UUID } from "../../src/storage/id-pool.js";
import { SlotOrder } from "../../src/storage/slot-order.js";
import { hashBytes, SlotTable } from "../../src/storage/slot-table.js";
import { FIXTURE_FILTERS, makeFixtureSet } from "../../src/storage/conformance/index.js";
import type { TraceFilter } from "../../src/storage/filter.js";
import { matchesFilter, metaNeedles } from "../../src/storage/filter-match.js";

const uuid = fc.uuid().map((u) => u.toLowerCase());
const asciiId = fc.string({ unit: fc.constantFrom(..."abcdef0123456789-_.:ABCZ~!"), minLength: 1, maxLength: 40 });
const anyId = fc.oneof(uuid, asciiId, uuid.map((u) => u.toUpperCase()), uuid.map((u) => u.slice(0, 35)));
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe("IdPool", () => {
  it("stores lowercase UUIDs in 16 bytes, everything else as is; round trip, equality and order are the strings'", () => {
    fc.assert(
      fc.property(fc.array(anyId, { minLength: 2, maxLength: 30 }), (ids) => {
        const pool = new IdPool();
        const stored = ids.map((id) => {
          const key = pool.key(id);
          expect(key.code === PACKED_UUID).toBe(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
          const hash = key.hash;
          return { id, at: pool.store(key), code: key.code, hash };
        });
        for (const a of stored) {
          expect(pool.toString(a.at, a.code)).toBe(a.id);
          expect(pool.hash(a.at, a.code)).toBe(a.hash);
          for (const b of stored) {
            expect(Math.sign(pool.compare(a.at, a.code, b.at, b.code))).toBe(cmp(a.id, b.id));
            expect(pool.equals(a.at, a.code, pool.key(b.id))).toBe(a.id === b.id);
          }
        }
      }),
      { seed: 31, numRuns: 200 },
    );
  });
});

describe("SlotTable", () => {
  it("add / find / delete / reserve / rebuild agree with a Set, with colliding hashes, with and without kept hashes", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.integer({ min: -1, max: 400 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { maxLength: 600 }), (keep, wide, reserveAt, ops) => {
        // Many collisions on purpose; `wide` hashes differ only above the 16 bits a kept tag holds.
        const hashOf = (slot: number): number => (wide ? ((slot % 7) << 16) >>> 0 : slot % 7);
        const table = new SlotTable(hashOf, keep);
        const ref = new Set<number>();
        for (const [k, [add, slot]] of ops.entries()) {
          if (k === reserveAt) table.reserve(reserveAt);
          if (add && !ref.has(slot)) {
            table.add(slot, hashOf(slot));
            ref.add(slot);
          } else if (!add) expect(table.delete(slot)).toBe(ref.delete(slot));
        }
        expect(table.size).toBe(ref.size);
        for (let s = 0; s <= 300; s++) expect(table.find(hashOf(s), (x) => x === s)).toBe(ref.has(s) ? s : -1);
        const live = [...ref];
        table.rebuild(live.length, (k) => live[k]!);
        for (let s = 0; s <= 300; s++) expect(table.find(hashOf(s), (x) => x === s)).toBe(ref.has(s) ? s : -1);
      }),
      { seed: 5, numRuns: 100 },
    );
  });

  it("hashBytes hashes every byte", () => {
    const a = Buffer.from("0000000000000000000000000000000000000000000000000000000000000001", "hex");
    const b = Buffer.from("0000000000000000000000000000000000000000000000000000000000000002", "hex");
    expect(hashBytes(a, 0, 32)).not.toBe(hashBytes(b, 0, 32));
  });
});

describe("SlotOrder", () => {
  it("views stay sorted and complete through appends, out-of-order inserts and deletes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 20 })), { maxLength: 200 }), fc.array(fc.integer({ min: 0, max: 199 })), (adds, dels) => {
        const keys: number[] = [];
        const dead = new Set<number>();
        const order = new SlotOrder((a, b) => keys[a]! - keys[b]! || a - b);
        let k = 0;
        for (const [key, burst] of adds) {
          for (let i = 0; i <= burst % 3; i++) keys.push(key + i);
          if (dels[k] !== undefined && dels[k]! < keys.length) dead.add(dels[k]!);
          k++;
          const live = keys.map((_, s) => s).filter((s) => !dead.has(s));
          const view = [...order.view(keys.length, (s) => !dead.has(s))].filter((s) => !dead.has(s));
          expect(view).toEqual(live.sort((a, b) => keys[a]! - keys[b]! || a - b));
        }
      }),
      { seed: 11, numRuns: 100 },
    );
  });
});

describe("FileIndex", () => {
  const entry = (id: string, i: number, hashByte = i): FileEntry => ({
    id,
    createdMs: Date.UTC(2024, 0, 1) + (i % 5) * 1000,
    hash: Buffer.alloc(32, hashByte & 0xff),
    traceVersion: i % 3 === 0 ? "2.0" : "1.0",
    seg: 1 + (i % 2),
    off: i * 100,
    len: 100,
    idxOff: i * 10,
    idxLen: i % 4 === 0 ? 0 : 10,
  });

  it("adds, replaces, removes and compacts like a Map; orders are (created_at, id) and id", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), anyId), { maxLength: 120 }), (ops) => {
        const index = new FileIndex();
        const ref = new Map<string, FileEntry>();
        ops.forEach(([add, id], i) => {
          if (add) {
            index.add(entry(id, i));
            ref.set(id, entry(id, i));
          } else expect(index.remove(id)).toBe(ref.delete(id));
          if (i % 40 === 39) index.compact();
        });
        expect(index.size).toBe(ref.size);
        const check = (): void => {
          for (const [id, e] of ref) {
            const s = index.slotOf(id);
            expect(index.id(s)).toBe(id);
            expect([index.createdMs(s), index.traceVersion(s), index.span(s), index.sidecarSpan(s)]).toEqual([
              e.createdMs,
              e.traceVersion,
              { file: e.seg, off: e.off, len: e.len },
              e.idxLen === 0 ? undefined : { file: e.seg, off: e.idxOff, len: e.idxLen },
            ]);
            expect(index.hashCandidates(e.hash)).toContain(s);
          }
          const live = (o: Int32Array): string[] => [...o].filter((s) => index.isLive(s)).map((s) => index.id(s));
          expect(live(index.order("id"))).toEqual([...ref.keys()].sort(cmp));
          expect(live(index.order("created_at"))).toEqual([...ref.values()].sort((a, b) => a.createdMs - b.createdMs || cmp(a.id, b.id)).map((e) => e.id));
        };
        check();
        index.compact();
        expect(index.deadCount).toBe(0);
        check();
      }),
      { seed: 17, numRuns: 150 },
    );
  });

  it("hashCandidates finds every slot with a content hash, including non-sha256 hashes that share all but one byte", () => {
    const index = new FileIndex();
    const hashes = Array.from({ length: 2000 }, (_, i) => Buffer.from(i.toString(16).padStart(64, "0"), "hex"));
    hashes.forEach((h, i) => index.add({ ...entry(`id${i}`, i), hash: h }));
    index.add({ ...entry("dup", 1), hash: hashes[7]! });
    expect(index.hashCandidates(hashes[7]!).map((s) => index.id(s)).sort()).toEqual(["dup", "id7"]);
    index.remove("id7");
    expect(index.hashCandidates(hashes[7]!).map((s) => index.id(s))).toEqual(["dup"]);
    const total = hashes.reduce((n, h) => n + index.hashCandidates(h).length, 0);
    expect(total).toBeLessThan(2010); // fingerprints barely collide
  });
});

describe("metaNeedles", () => {
  it("every trace a fixture filter matches contains one of its needles in JSON.stringify(meta)", () => {
    const { traces } = makeFixtureSet(200, "needles");
    const metas = [...traces.map((t) => (t.meta ?? null) as Record<string, unknown> | null), { s: 'quote " and \\ back', u: "é😀", n: -0, big: 1e21, k: { "clé-é": "ü" } }];
    const extra: TraceFilter[] = [
      { meta: "s", eq: 'quote " and \\ back' },
      { meta: "u", eq: "é😀" },
      { meta: "n", eq: 0 },
      { meta: "big", eq: 1e21 },
      { meta: "k.clé-é", exists: true },
      { or: [] },
      { and: [] },
    ];
    let ruledOut = 0;
    for (const filter of [...FIXTURE_FILTERS, ...extra]) {
      const needles = metaNeedles(filter);
      for (const meta of metas) {
        const text = JSON.stringify(meta);
        const possible = needles === undefined || (meta !== null && needles.some((n) => text.includes(n)));
        if (matchesFilter(filter, { id: "x", created_at: "2024-01-01T00:00:00.000Z", content_hash: "h", trace: { trace_version: "1.0", meta } })) {
          expect({ filter, meta, possible }).toEqual({ filter, meta, possible: true });
        } else if (!possible) ruledOut++;
      }
    }
    expect(ruledOut).toBeGreaterThan(1000); // the needles do rule most non-matches out
  });
});

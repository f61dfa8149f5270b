import { describe, expect, it } from "vitest";
import { uuidv7, uuidv7Time } from "../../src/storage/uuid7.js";

const SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuidv7", () => {
  it("is a canonical lowercase RFC 9562 version-7 UUID carrying the current millisecond", () => {
    const before = Date.now();
    const id = uuidv7();
    expect(id).toMatch(SHAPE);
    const t = uuidv7Time(id)!;
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
    expect(uuidv7Time("6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBeUndefined();
  });

  it("strictly increases within one millisecond, past counter overflow, and when the clock goes back", () => {
    const ms = Date.now() + 10_000_000; // ahead of anything made so far
    const ids = [uuidv7(ms)];
    for (let i = 0; i < 10_000; i++) ids.push(uuidv7(ms)); // > 4096: the counter overflows at least twice
    ids.push(uuidv7(ms - 5000)); // clock stepped back
    ids.push(uuidv7(ms + 100));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(ids.every((id) => SHAPE.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(uuidv7Time(ids[0]!)).toBe(ms);
    expect(uuidv7Time(ids[10_000]!)).toBeGreaterThan(ms); // overflow borrowed later milliseconds
    expect(uuidv7Time(ids.at(-1)!)).toBe(ms + 100);
  });

  it("spreads its random bits (no two of 50 000 share the last 62 bits)", () => {
    const tails = new Set(Array.from({ length: 50_000 }, () => uuidv7().slice(20)));
    expect(tails.size).toBe(50_000);
  });
});

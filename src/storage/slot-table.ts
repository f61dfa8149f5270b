/**
 * Open-addressing hash set of slot numbers (linear probing over Int32Arrays), for indexes that keep their
 * entries in numbered slots instead of objects: 5–22 bytes per entry where a `Map<string, …>` costs ~30
 * plus the key string.
 */

const EMPTY = 0;
const TOMBSTONE = -1;
const MAX_LOAD = 0.75;

/** A 32-bit hash of `len` bytes of `bytes` from `start`: FNV-1a over 4-byte little-endian words, then the tail bytes. */
export function hashBytes(bytes: Uint8Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  let i = start;
  for (const end = start + (len & ~3); i < end; i += 4) h = Math.imul(h ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)), 0x01000193);
  for (const end = start + len; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** murmur3's finaliser: spreads every input bit over the low bits the table masks with. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A set of slot numbers (≥ 0) hashed by `hashOf(slot)`, cells at most 3/4 full. With `keepHashes` each
 * cell also stores 16 bits of its slot's hash (2 more bytes a cell): probes then skip all but 1 in 65 536
 * other keys without asking the owner (who may have to look far away in memory). Growing asks `hashOf`
 * again (full 32-bit hashes took 4 MB more at a million ids). Without, a cell is 4 bytes.
 */
export class SlotTable {
  private cells = new Int32Array(16);
  private hashes: Uint16Array | undefined;
  private filled = 0;
  private live = 0;

  /**
   * @param hashOf - 32-bit hash of the key held by a slot (stable while the slot is in the set).
   * @param keepHashes - store hashes next to slots (faster, twice the size).
   */
  constructor(
    private readonly hashOf: (slot: number) => number,
    keepHashes = false,
  ) {
    if (keepHashes) this.hashes = new Uint16Array(16);
  }

  /** Number of slots in the set. */
  get size(): number {
    return this.live;
  }

  /** The first slot in the set whose key has `hash` and satisfies `matches`, or -1. */
  find(hash: number, matches: (slot: number) => boolean): number {
    const { cells, hashes } = this;
    const mask = cells.length - 1;
    const tag = hash & 0xffff;
    for (let i = mix(hash) & mask; ; i = (i + 1) & mask) {
      const c = cells[i]!;
      if (c === EMPTY) return -1;
      if (c !== TOMBSTONE && (hashes === undefined || hashes[i] === tag) && matches(c - 1)) return c - 1;
    }
  }

  /** Adds a slot (the caller makes sure it is not in the set yet); pass its hash when known. */
  add(slot: number, hash = this.hashOf(slot)): void {
    if (this.filled + 1 > this.cells.length * MAX_LOAD) this.resize(this.live + 1);
    this.put(slot, hash);
  }

  /** Removes a slot; false when it was not in the set. */
  delete(slot: number): boolean {
    const { cells } = this;
    const mask = cells.length - 1;
    for (let i = mix(this.hashOf(slot)) & mask; ; i = (i + 1) & mask) {
      const c = cells[i]!;
      if (c === EMPTY) return false;
      if (c === slot + 1) {
        cells[i] = TOMBSTONE;
        this.live--;
        return true;
      }
    }
  }

  /** Empties the set and adds `count` slots given by `slotAt(k)`, sized for them at once. */
  rebuild(count: number, slotAt: (k: number) => number): void {
    this.cells = new Int32Array(16);
    if (this.hashes) this.hashes = new Uint16Array(16);
    this.filled = 0;
    this.live = 0;
    this.resize(count);
    for (let k = 0; k < count; k++) this.put(slotAt(k), this.hashOf(slotAt(k)));
  }

  private put(slot: number, hash: number): void {
    const { cells } = this;
    const mask = cells.length - 1;
    let i = mix(hash) & mask;
    while (cells[i]! > 0) i = (i + 1) & mask;
    if (cells[i] === EMPTY) this.filled++;
    cells[i] = slot + 1;
    if (this.hashes) this.hashes[i] = hash & 0xffff;
    this.live++;
  }

  /**
   * Makes room for `count` slots in all without growing again (growing rehashes every slot), when the
   * caller knows about how many will come, as a store opening its files does.
   *
   * @param count - slots the set will hold.
   */
  reserve(count: number): void {
    if (count * 1.001 > this.cells.length * MAX_LOAD) this.resize(count / 1.5);
  }

  private resize(need: number): void {
    let cap = 16;
    while (cap * MAX_LOAD < need * 1.5) cap *= 2;
    const { cells, hashes } = this;
    this.cells = new Int32Array(cap);
    if (hashes) this.hashes = new Uint16Array(cap);
    this.filled = 0;
    this.live = 0;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      if (c > 0) this.put(c - 1, this.hashOf(c - 1));
    }
  }
}

/**
 * Open-addressing hash set of slot numbers (linear probing over one Int32Array), for indexes that keep
 * their entries in numbered slots instead of objects: ~5–11 bytes per entry where a `Map<string, …>` costs
 * ~30 plus the key string. The owner supplies the hash of a slot and, per lookup, how to compare a key.
 */

const EMPTY = 0;
const TOMBSTONE = -1;
const MAX_LOAD = 0.75;

/** FNV-1a (32 bit) of `len` bytes of `bytes` from `start`. */
export function fnv1aBytes(bytes: Uint8Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start, end = start + len; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** FNV-1a (32 bit) of a string's UTF-16 code units; equals {@link fnv1aBytes} of its latin1 bytes. */
export function fnv1aString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ (s.charCodeAt(i) & 0xffff), 0x01000193);
  return h >>> 0;
}

/** A set of slot numbers (≥ 0) hashed by `hashOf(slot)`. */
export class SlotTable {
  private cells: Int32Array;
  private mask: number;
  private filled = 0;
  private live = 0;

  /**
   * @param hashOf - 32-bit hash of the key stored in a slot (must not change while the slot is in the set).
   */
  constructor(private readonly hashOf: (slot: number) => number) {
    this.cells = new Int32Array(16);
    this.mask = 15;
  }

  /** Number of slots in the set. */
  get size(): number {
    return this.live;
  }

  /** The first slot in the set whose key has `hash` and satisfies `matches`, or -1. */
  find(hash: number, matches: (slot: number) => boolean): number {
    const { cells, mask } = this;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const c = cells[i]!;
      if (c === EMPTY) return -1;
      if (c !== TOMBSTONE && matches(c - 1)) return c - 1;
    }
  }

  /** Adds a slot (the caller makes sure it is not in the set yet). */
  add(slot: number): void {
    if ((this.filled + 1) > this.cells.length * MAX_LOAD) this.resize(this.live + 1);
    const { cells, mask } = this;
    let i = this.hashOf(slot) & mask;
    while (cells[i]! > 0) i = (i + 1) & mask;
    if (cells[i] === EMPTY) this.filled++;
    cells[i] = slot + 1;
    this.live++;
  }

  /** Removes a slot; false when it was not in the set. */
  delete(slot: number): boolean {
    const { cells, mask } = this;
    for (let i = this.hashOf(slot) & mask; ; i = (i + 1) & mask) {
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
    this.mask = 15;
    this.filled = 0;
    this.live = 0;
    this.resize(count);
    for (let k = 0; k < count; k++) this.add(slotAt(k));
  }

  private resize(need: number): void {
    let cap = 16;
    while (cap * MAX_LOAD < need * 1.5) cap *= 2;
    const old = this.cells;
    this.cells = new Int32Array(cap);
    this.mask = cap - 1;
    this.filled = 0;
    this.live = 0;
    for (const c of old) {
      if (c <= 0) continue;
      let i = this.hashOf(c - 1) & this.mask;
      while (this.cells[i] !== EMPTY) i = (i + 1) & this.mask;
      this.cells[i] = c;
      this.filled++;
      this.live++;
    }
  }
}

/**
 * A sorted list of slot numbers, kept up to date incrementally: slots added since the last look are
 * sorted on their own and appended (the usual case: later traces sort last) or merged in, so a page after
 * a write costs O(new · log new + n) at worst instead of a full re-sort.
 */

/**
 * Where a page walk starts in a sorted list: the first position sorting after the cursor (asc), or the
 * last one sorting before it (desc); `length` / -1 when there is none.
 *
 * @param length - list length.
 * @param compareAt - sign of (entry at position i) − (cursor).
 * @param direction - walk direction.
 */
export function cursorStart(length: number, compareAt: (i: number) => number, direction: "asc" | "desc"): number {
  const asc = direction === "asc";
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(mid);
    if (asc ? c <= 0 : c < 0) lo = mid + 1;
    else hi = mid;
  }
  return asc ? lo : lo - 1;
}

/** One sort order over an index's slots. Dead slots may stay in the list until the next merge. */
export class SlotOrder {
  private list = new Int32Array(0);
  private length = 0;
  private covered = 0;

  /** @param compare - total order of two slots (negative, zero only for the same slot, positive). */
  constructor(private readonly compare: (a: number, b: number) => number) {}

  /**
   * The sorted slots, covering every slot below `slotCount`. The returned view stays valid (as a
   * snapshot) across later calls; entries may be dead slots, which callers skip.
   */
  view(slotCount: number, isLive: (slot: number) => boolean): Int32Array {
    if (this.covered < slotCount) this.absorb(slotCount, isLive);
    return this.list.subarray(0, this.length);
  }

  /** Forgets everything (the slots were renumbered). */
  reset(): void {
    this.list = new Int32Array(0);
    this.length = 0;
    this.covered = 0;
  }

  private absorb(slotCount: number, isLive: (slot: number) => boolean): void {
    let n = 0;
    for (let s = this.covered; s < slotCount; s++) if (isLive(s)) n++;
    const fresh = new Int32Array(n);
    n = 0;
    for (let s = this.covered; s < slotCount; s++) if (isLive(s)) fresh[n++] = s;
    this.covered = slotCount;
    if (n === 0) return;
    if (!isSorted(fresh, this.compare)) fresh.sort(this.compare);
    const { list, length, compare } = this;
    if (length === 0 || compare(list[length - 1]!, fresh[0]!) < 0) {
      if (length + n > list.length) {
        const grown = new Int32Array(Math.max(length + n, Math.ceil(list.length * 1.25)));
        grown.set(list.subarray(0, length));
        this.list = grown;
      }
      this.list.set(fresh, length);
      this.length = length + n;
      return;
    }
    // Merge, dropping dead slots on the way (a fresh array, so older views stay intact).
    const merged = new Int32Array(length + n);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < length || j < n) {
      if (i < length && !isLive(list[i]!)) {
        i++;
        continue;
      }
      if (j >= n || (i < length && compare(list[i]!, fresh[j]!) < 0)) merged[k++] = list[i++]!;
      else merged[k++] = fresh[j++]!;
    }
    this.list = merged;
    this.length = k;
  }
}

function isSorted(a: Int32Array, compare: (x: number, y: number) => number): boolean {
  for (let i = 1; i < a.length; i++) if (compare(a[i - 1]!, a[i]!) > 0) return false;
  return true;
}

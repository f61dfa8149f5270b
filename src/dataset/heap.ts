/**
 * Where each handle sits in its heap (-1: in none), growing with the largest handle. Heaps over disjoint
 * handle sets (one per stratum) share one, so memory stays O(handles), not O(heaps × handles).
 */
export class HandlePositions {
  private pos = new Int32Array(1024).fill(-1);

  /** Position of `handle`, or -1. */
  get(handle: number): number {
    return handle >= 0 && handle < this.pos.length ? this.pos[handle]! : -1;
  }

  /** Records the position of `handle` (-1: removed). */
  set(handle: number, i: number): void {
    if (handle >= this.pos.length) {
      const pos = new Int32Array(Math.max(handle + 1, this.pos.length * 2)).fill(-1);
      pos.set(this.pos);
      this.pos = pos;
    }
    this.pos[handle] = i;
  }
}

/**
 * Keeps the `capacity` best of the integer handles offered (candidate slots), in O(capacity) memory: a
 * binary heap with the worst kept handle at the root, so a newcomer is compared with one handle and
 * replaces it in O(log capacity). The heap tracks each handle's position, so one can be removed (for
 * dedup replacement). With no bound (`Infinity`) nothing is ever evicted, so handles are just kept in
 * arrival order until {@link sorted} (no heap upkeep: a million-entry selection costs one sort).
 *
 * `better(a, b)` must be a strict total order (ties broken, e.g. by id): then the kept set does not depend
 * on the order handles arrive in. It may be called with a handle that is not in the heap (a probe).
 */
export class BoundedHeap {
  private items = new Int32Array(64);
  private n = 0;
  private readonly bounded: boolean;

  /**
   * @param capacity - most handles kept (Infinity for no bound).
   * @param better - true when `a` ranks before `b`.
   * @param pos - position bookkeeping, needed for {@link remove} and {@link has} and shareable between
   *   heaps over disjoint handles; without it those two throw.
   */
  constructor(
    readonly capacity: number,
    private readonly better: (a: number, b: number) => boolean,
    private readonly pos?: HandlePositions,
  ) {
    this.bounded = capacity !== Infinity;
  }

  /** Handles kept. */
  get size(): number {
    return this.n;
  }

  /** The worst kept handle (the next to be evicted), or undefined when empty or unbounded. */
  worst(): number | undefined {
    return this.bounded && this.n > 0 ? this.items[0] : undefined;
  }

  /** True when the heap holds `capacity` handles. */
  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** True when `handle` is kept. */
  has(handle: number): boolean {
    return this.positions().get(handle) >= 0;
  }

  /** True when a handle ranked like `probe` would be kept (the heap has room or `probe` beats the worst). */
  accepts(probe: number): boolean {
    if (this.capacity <= 0) return false;
    return this.n < this.capacity || this.better(probe, this.items[0]!);
  }

  /**
   * Offers a handle (≥ 0, not in the heap). Returns the handle that left: the evicted worst, `handle`
   * itself when it was not kept, or undefined when the heap had room.
   */
  offer(handle: number): number | undefined {
    if (this.capacity <= 0) return handle;
    if (this.n < this.capacity) {
      if (this.n === this.items.length) {
        const items = new Int32Array(this.n * 2);
        items.set(this.items);
        this.items = items;
      }
      this.pos?.set(handle, this.n);
      this.items[this.n++] = handle;
      if (this.bounded) this.up(this.n - 1);
      return undefined;
    }
    const root = this.items[0]!;
    if (!this.better(handle, root)) return handle;
    this.pos?.set(root, -1);
    this.pos?.set(handle, 0);
    this.items[0] = handle;
    this.down(0);
    return root;
  }

  /** Removes a handle that is in this heap. */
  remove(handle: number): void {
    const pos = this.positions();
    const i = pos.get(handle);
    const last = this.items[--this.n]!;
    pos.set(handle, -1);
    if (i === this.n) return;
    this.items[i] = last;
    pos.set(last, i);
    if (this.bounded) {
      this.down(i);
      this.up(pos.get(last));
    }
  }

  /**
   * The kept handles, best first. Leaves the heap unchanged. Handles already in order (an unbounded
   * heap fed best first, as `latest` over a whole store is) are only checked: sorting a typed array
   * with a comparator copies it into the JS heap (~12 MB for a million handles).
   */
  sorted(): Int32Array {
    const out = this.items.slice(0, this.n);
    for (let i = 1; i < out.length; i++) if (this.better(out[i]!, out[i - 1]!)) return out.sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
    return out;
  }

  private positions(): HandlePositions {
    if (this.pos === undefined) throw new Error("internal: BoundedHeap without positions cannot remove");
    return this.pos;
  }

  // The root is the *worst* handle: "a above b" means a is worse than b.
  private worse(a: number, b: number): boolean {
    return this.better(b, a);
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(items[i]!, items[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const items = this.items;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.worse(items[l]!, items[m]!)) m = l;
      if (r < n && this.worse(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i]!;
    const b = this.items[j]!;
    this.items[i] = b;
    this.items[j] = a;
    this.pos?.set(a, j);
    this.pos?.set(b, i);
  }
}

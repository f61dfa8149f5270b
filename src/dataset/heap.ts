/** An item of a {@link BoundedHeap}; `pos` is maintained by the heap. */
export interface HeapItem {
  /** Index in the heap array (-1 when not in a heap). */
  pos: number;
}

/**
 * Keeps the `capacity` best items seen, in O(capacity) memory: a binary heap with the worst kept item at
 * the root, so a newcomer is compared with one item and replaces it in O(log capacity). Items know their
 * position, so one can be removed (for dedup replacement).
 *
 * `better(a, b)` must be a strict total order (ties broken, e.g. by id): then the kept set does not depend
 * on the order items arrive in.
 */
export class BoundedHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  /**
   * @param capacity - most items kept (Infinity for no bound).
   * @param better - true when `a` ranks before `b`.
   */
  constructor(
    readonly capacity: number,
    private readonly better: (a: T, b: T) => boolean,
  ) {}

  /** Items kept. */
  get size(): number {
    return this.items.length;
  }

  /** The worst kept item (the next to be evicted), or undefined when empty. */
  worst(): T | undefined {
    return this.items[0];
  }

  /** True when the heap holds `capacity` items. */
  get full(): boolean {
    return this.items.length >= this.capacity;
  }

  /** True when an item ranked like `probe` would be kept (the heap has room or `probe` beats the worst). */
  accepts(probe: T): boolean {
    if (this.capacity <= 0) return false;
    const root = this.items[0];
    return this.items.length < this.capacity || root === undefined || this.better(probe, root);
  }

  /**
   * Offers an item. Returns the item that left the heap: the evicted worst, `item` itself when it was not
   * kept, or undefined when the heap had room.
   */
  offer(item: T): T | undefined {
    if (this.capacity <= 0) return item;
    if (this.items.length < this.capacity) {
      item.pos = this.items.length;
      this.items.push(item);
      this.up(item.pos);
      return undefined;
    }
    const root = this.items[0]!;
    if (!this.better(item, root)) return item;
    root.pos = -1;
    item.pos = 0;
    this.items[0] = item;
    this.down(0);
    return root;
  }

  /** Removes an item that is in this heap. */
  remove(item: T): void {
    const i = item.pos;
    const last = this.items.pop()!;
    item.pos = -1;
    if (i === this.items.length) return;
    this.items[i] = last;
    last.pos = i;
    this.down(i);
    this.up(last.pos);
  }

  /** The kept items, best first. Leaves the heap unchanged. */
  sorted(): T[] {
    return [...this.items].sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
  }

  // The root is the *worst* item: "a above b" means a is worse than b.
  private worse(a: T, b: T): boolean {
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
    const n = items.length;
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
    a.pos = j;
    b.pos = i;
  }
}

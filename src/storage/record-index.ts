/**
 * In-memory index of trace records for the memory store: filters run through the compiled oracle
 * ({@link compileFilter}), pages walk a cached sorted order from a binary-searched start.
 */
import type { FilterTarget, TraceFilter } from "./filter.js";
import { compileFilter } from "./filter-match.js";
import { cursorStart } from "./slot-order.js";
import type { PageRequest } from "./backend.js";
import type { OrderBy } from "./types.js";

/** What the index keeps per record: the fields filters read plus adapter data. */
export interface IndexEntry extends FilterTarget {
  /** `trace` holds only what filters read. */
  trace: { trace_version: string; meta: Record<string, unknown> | null };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted views are rebuilt lazily after writes. */
export class RecordIndex<E extends IndexEntry> {
  /** Entries by id. */
  readonly byId = new Map<string, E>();
  private readonly hashes = new Map<string, number>();
  private sorted: Partial<Record<OrderBy, E[]>> = {};

  /** Number of entries. */
  get size(): number {
    return this.byId.size;
  }

  /** True when some entry has this content hash. */
  hasHash(hash: string): boolean {
    return (this.hashes.get(hash) ?? 0) > 0;
  }

  /** Adds (or replaces) an entry. */
  add(entry: E): void {
    const old = this.byId.get(entry.id);
    if (old) this.forgetHash(old.content_hash);
    this.byId.set(entry.id, entry);
    this.hashes.set(entry.content_hash, (this.hashes.get(entry.content_hash) ?? 0) + 1);
    this.sorted = {};
  }

  /** Removes an entry; returns it when it existed. */
  remove(id: string): E | undefined {
    const old = this.byId.get(id);
    if (!old) return undefined;
    this.byId.delete(id);
    this.forgetHash(old.content_hash);
    this.sorted = {};
    return old;
  }

  private forgetHash(hash: string): void {
    const n = (this.hashes.get(hash) ?? 0) - 1;
    if (n > 0) this.hashes.set(hash, n);
    else this.hashes.delete(hash);
  }

  private order(orderBy: OrderBy): E[] {
    let list = this.sorted[orderBy];
    if (!list) {
      list = [...this.byId.values()];
      if (orderBy === "id") list.sort((a, b) => cmp(a.id, b.id));
      else list.sort((a, b) => cmp(a.created_at, b.created_at) || cmp(a.id, b.id));
      this.sorted[orderBy] = list;
    }
    return list;
  }

  /** Number of entries matching a filter. */
  count(filter: TraceFilter | undefined): number {
    if (filter === undefined) return this.byId.size;
    const match = compileFilter(filter);
    let n = 0;
    for (const e of this.byId.values()) if (match(e)) n++;
    return n;
  }

  /** One page in (orderBy, id) order strictly after `req.after`. */
  page(req: PageRequest): E[] {
    const list = this.order(req.orderBy);
    const { after } = req;
    const step = req.direction === "asc" ? 1 : -1;
    let i = req.direction === "asc" ? 0 : list.length - 1;
    if (after) {
      i = cursorStart(list.length, (k) => cmp(req.orderBy === "id" ? list[k]!.id : list[k]!.created_at, after.key) || cmp(list[k]!.id, after.id), req.direction);
    }
    const match = compileFilter(req.filter);
    const out: E[] = [];
    for (; i >= 0 && i < list.length && out.length < req.limit; i += step) if (match(list[i]!)) out.push(list[i]!);
    return out;
  }
}

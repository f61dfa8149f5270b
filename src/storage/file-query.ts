/**
 * Counting and paging over a {@link FileIndex}. Filters are evaluated by the conformance oracle itself,
 * compiled once per call ({@link compileFilter}), on a view of a slot; the index holds neither meta nor full content hashes, so
 * a filter that reads them fetches them from disk and remembers the answers as bits per slot (2 bits ×
 * slots per filter, the last {@link CACHED_FILTERS} filters): a stream or a cursor walk with one filter
 * reads each slot's fields once, and a later page or count with the same filter reads only the slots
 * added since.
 */
import type { FilterTarget, TraceFilter } from "./filter.js";
import { compileFilter, filterReads, metaNeedles, type FilterPredicate } from "./filter-match.js";
import type { FileIndex } from "./file-index.js";
import type { PageRequest } from "./backend.js";
import { cursorStart } from "./slot-order.js";

/** The fields of a slot kept on disk, as read (views valid only while the visitor runs). */
export interface DiskFields {
  /** The sha256 content hash, 32 bytes. */
  hash: Buffer;
  /** `JSON.stringify(trace.meta)` as UTF-8, or null when meta is null or absent (or `meta` is given). */
  metaJson: Buffer | null;
  /** `trace.meta` when it was parsed already (read from a segment instead of a sidecar). */
  meta?: Record<string, unknown> | null;
}

/** Reads the disk fields of the given (live) slots, calling `visit(k, fields)` for slot `slots[k]`. */
export type DiskSource = (slots: readonly number[], visit: (k: number, fields: DiskFields) => void) => Promise<void>;

const needsDisk = (filter: TraceFilter | undefined): filter is TraceFilter => filter !== undefined && (filterReads(filter, "meta") || filterReads(filter, "content_hash"));

/** Filters whose per-slot answers are kept. */
export const CACHED_FILTERS = 8;
/** Meta reads in one page walk after which the rest of the store is read in file order instead. */
const SCAN_AFTER = 16_384;
/** Slots read per batch by a full scan. */
const SCAN_BATCH = 8_192;

/** A slot seen as a {@link FilterTarget}; fields are decoded only when the filter reads them. */
class SlotTarget implements FilterTarget {
  slot = 0;
  disk: DiskFields | undefined;
  readonly trace: FilterTarget["trace"];

  constructor(private readonly index: FileIndex) {
    const target = this;
    this.trace = {
      get trace_version() {
        return index.traceVersion(target.slot);
      },
      get meta() {
        const d = target.disk!;
        if (d.meta === undefined) d.meta = d.metaJson === null ? null : (JSON.parse(d.metaJson.toString("utf8")) as Record<string, unknown>);
        return d.meta;
      },
    };
  }

  get id(): string {
    return this.index.id(this.slot);
  }

  get created_at(): string {
    return this.index.createdAt(this.slot);
  }

  get content_hash(): string {
    return this.disk!.hash.toString("hex");
  }
}

/**
 * Known answers of one filter: bit `s` of `known` says whether bit `s` of `match` is set yet. `needles`
 * (see metaNeedles) let a slot whose meta JSON lacks them all be answered without parsing it.
 */
interface FilterBits {
  known: Uint8Array;
  match: Uint8Array;
  needles: Buffer[] | undefined;
  predicate: FilterPredicate;
}

/** Count and page over a file index; see the module comment. */
export class FileQuery {
  private readonly target: SlotTarget;
  private cache = new Map<string, FilterBits>();

  constructor(private readonly index: FileIndex, private readonly readDisk: DiskSource) {
    this.target = new SlotTarget(index);
  }

  /** Forgets cached answers (call after the index renumbered its slots). */
  reset(): void {
    this.cache.clear();
  }

  /** Number of live slots matching `filter`. */
  async count(filter: TraceFilter | undefined): Promise<number> {
    const { index } = this;
    if (filter === undefined) return index.size;
    let n = 0;
    const slots = index.slotCount;
    if (needsDisk(filter)) {
      const bits = await this.fill(this.bitsFor(filter));
      for (let s = 0; s < slots; s++) if (index.isLive(s) && hasBit(bits.match, s)) n++;
    } else {
      const predicate = compileFilter(filter);
      for (let s = 0; s < slots; s++) if (index.isLive(s) && this.matches(predicate, s)) n++;
    }
    return n;
  }

  /** The live slots of one page, in (orderBy, id) order strictly after `req.after`. */
  async page(req: PageRequest): Promise<number[]> {
    const { index } = this;
    const order = index.order(req.orderBy);
    const step = req.direction === "asc" ? 1 : -1;
    let i = this.start(order, req);
    const out: number[] = [];
    const bits = needsDisk(req.filter) ? this.bitsFor(req.filter) : undefined;
    const predicate = bits?.predicate ?? compileFilter(req.filter);
    let batch = Math.max(64, req.limit);
    let reads = 0;
    while (out.length < req.limit && i >= 0 && i < order.length) {
      const candidates: number[] = [];
      for (; candidates.length < batch && i >= 0 && i < order.length; i += step) if (index.isLive(order[i]!)) candidates.push(order[i]!);
      if (bits) {
        const unknown = candidates.filter((s) => !hasBit(bits.known, s));
        if (reads + unknown.length > SCAN_AFTER) await this.fill(bits);
        else if (unknown.length > 0) {
          await this.learn(bits, unknown);
          reads += unknown.length;
        }
      }
      for (const s of candidates) {
        if (out.length === req.limit) break;
        if (!index.isLive(s)) continue; // deleted while fields were read
        if (bits ? hasBit(bits.match, s) : this.matches(predicate, s)) out.push(s);
      }
      batch = Math.min(batch * 2, 4096);
    }
    return out;
  }

  /** Position in `order` of the first slot after `req.after` in the walk direction (-1/length = none). */
  private start(order: Int32Array, req: PageRequest): number {
    const { after } = req;
    if (after === null) return req.direction === "asc" ? 0 : order.length - 1;
    const key = req.orderBy === "id" ? (s: number) => this.index.id(s) : (s: number) => this.index.createdAt(s);
    return cursorStart(
      order.length,
      (i) => {
        const k = key(order[i]!);
        if (k !== after.key) return k < after.key ? -1 : 1;
        const id = req.orderBy === "id" ? k : this.index.id(order[i]!);
        return id < after.id ? -1 : id > after.id ? 1 : 0;
      },
      req.direction,
    );
  }

  private matches(predicate: FilterPredicate, slot: number, disk?: DiskFields): boolean {
    this.target.slot = slot;
    this.target.disk = disk;
    return predicate(this.target);
  }

  /** The cached answers of a filter (grown to the current slot count), made most recently used. */
  private bitsFor(filter: TraceFilter): FilterBits {
    const key = JSON.stringify(filter);
    const bytes = (this.index.slotCount >>> 3) + 1;
    let bits = this.cache.get(key);
    if (bits) this.cache.delete(key);
    else {
      const needles = metaNeedles(filter)?.map((n) => Buffer.from(n, "utf8"));
      bits = { known: new Uint8Array(bytes), match: new Uint8Array(bytes), needles, predicate: compileFilter(filter) };
      if (this.cache.size >= CACHED_FILTERS) this.cache.delete(this.cache.keys().next().value!);
    }
    if (bits.known.length < bytes) {
      // In place: a read in flight writes its answers into whatever arrays the entry holds then.
      bits.known = grow(bits.known, bytes);
      bits.match = grow(bits.match, bytes);
    }
    this.cache.set(key, bits);
    return bits;
  }

  /** Reads the disk fields of `slots` and records the filter's answer for each. */
  private async learn(bits: FilterBits, slots: readonly number[]): Promise<void> {
    const { needles, predicate } = bits;
    await this.readDisk(slots, (k, fields) => {
      const s = slots[k]!;
      const json = fields.metaJson;
      const skip = needles !== undefined && json !== null && !needles.some((n) => json.includes(n));
      if (!skip && this.matches(predicate, s, fields)) bits.match[s >>> 3]! |= 1 << (s & 7);
      bits.known[s >>> 3]! |= 1 << (s & 7);
    });
  }

  /** Answers the filter for every live slot, reading the unknown ones in file order. */
  private async fill(bits: FilterBits): Promise<FilterBits> {
    const slots = this.index.slotCount;
    let batch: number[] = [];
    for (let s = 0; s < slots; s++) {
      if (!this.index.isLive(s) || hasBit(bits.known, s)) continue;
      batch.push(s);
      if (batch.length === SCAN_BATCH) {
        await this.learn(bits, batch);
        batch = [];
      }
    }
    if (batch.length > 0) await this.learn(bits, batch);
    return bits;
  }
}

function hasBit(bits: Uint8Array, s: number): boolean {
  return ((bits[s >>> 3] ?? 0) & (1 << (s & 7))) !== 0;
}

function grow(a: Uint8Array, bytes: number): Uint8Array {
  const b = new Uint8Array(Math.max(bytes, Math.ceil(a.length * 1.25)));
  b.set(a);
  return b;
}

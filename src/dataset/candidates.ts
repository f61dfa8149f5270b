import { TunixError } from "../errors.js";
import { PackedStringsBuilder, type PackedStrings } from "../manifest/index.js";

/** The handle of the probe: the trace being offered, before it is admitted to the pool. */
export const PROBE = -1;

/** Store times as tunix-rt stores write them; for these, string order is time order. */
const STANDARD_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** What a candidate is made of (the probe is set from it, `admit` copies it into the pool). */
export interface CandidateFields {
  /** Store id. */
  id: string;
  /** Content hash. */
  contentHash: string;
  /** Store creation time ("" when the strategy does not need it). */
  createdAt: string;
  /** Sampling rank, or 0 for `latest`. */
  rank: number;
  /** Stratum number (see the selector's labels), 0 when not stratified. */
  stratum: number;
}

type Column = Float64Array | Int32Array | Uint32Array | Uint16Array;

/** `column` with `value` at `slot`, allocated or doubled as needed. */
function put<C extends Column>(column: C | undefined, make: (n: number) => C, slot: number, value: number): C {
  let c = column ?? make(1024);
  if (slot >= c.length) {
    const bigger = make(Math.max(c.length * 2, slot + 1));
    bigger.set(c);
    c = bigger;
  }
  c[slot] = value;
  return c;
}

const f64 = (n: number): Float64Array => new Float64Array(n);
/** Times not set read as NaN: "no standard time", as for the probe of a strategy without times. */
const times64 = (n: number): Float64Array => new Float64Array(n).fill(Number.NaN);
const i32 = (n: number): Int32Array => new Int32Array(n);
const u16 = (n: number): Uint16Array => new Uint16Array(n);
const u32 = (n: number): Uint32Array => new Uint32Array(n);

/**
 * The selector's candidates, one slot per admitted trace, in columns: packed ids and content hashes,
 * typed arrays for the numbers. ~70 bytes a candidate instead of ~300 as objects with their strings,
 * so `latest` over a million traces keeps every candidate in ~75 MB. Slots are never reused: an evicted
 * candidate's slot stays (a seeded sample admits about k·(1 + ln(n/k)) of n traces to keep k).
 *
 * Creation times in the store's own format (`2026-01-02T03:04:05.678Z`) are held as epoch ms, which
 * order like the strings; any other string is kept as it is and compared as a string.
 */
export class CandidatePool {
  private readonly ids = new PackedStringsBuilder("uuid");
  private readonly hashes = new PackedStringsBuilder("digest");
  // Columns a strategy does not use (ranks for `latest`, times otherwise, strata unless stratified) are
  // never allocated: they read as 0.
  private ranks: Float64Array | undefined;
  private times: Float64Array | undefined;
  private readonly oddTimes = new Map<number, string>();
  private strata: Uint16Array | undefined;
  private stepCounts: Int32Array | undefined;
  /** Code points per candidate: u32 is enough (a stored trace is one JSON string, under 2^30 units). */
  private charCounts: Uint32Array | undefined;
  /** Dedup key of each candidate (only with `dedupe`). */
  private readonly groups: string[] = [];
  private probe: CandidateFields = { id: "", contentHash: "", createdAt: "", rank: 0, stratum: 0 };
  private probeTime = Number.NaN;
  private lastText = "";
  private lastTime = Number.NaN;

  /** Slots so far. */
  get length(): number {
    return this.ids.length;
  }

  /** Sets the probe ({@link PROBE}) to the trace being offered. */
  setProbe(fields: CandidateFields): void {
    this.probe = fields;
    this.probeTime = this.timeOf(fields.createdAt);
  }

  /** Admits the probe; returns its slot. */
  admit(steps: number, chars: number, group: string): number {
    const p = this.probe;
    const slot = this.ids.push(p.id);
    this.hashes.push(p.contentHash);
    if (p.rank !== 0 || this.ranks !== undefined) this.ranks = put(this.ranks, f64, slot, p.rank);
    if (p.createdAt !== "" || this.times !== undefined) this.times = put(this.times, times64, slot, this.probeTime);
    if (p.createdAt !== "" && Number.isNaN(this.probeTime)) this.oddTimes.set(slot, p.createdAt);
    if (p.stratum !== 0 || this.strata !== undefined) this.strata = put(this.strata, u16, slot, p.stratum);
    this.stepCounts = put(this.stepCounts, i32, slot, steps);
    if (chars > 0xffff_ffff) throw new TunixError("DATASET_INVALID", `trace ${p.id} has ${chars} characters, more than a dataset build counts (2^32 - 1)`);
    this.charCounts = put(this.charCounts, u32, slot, chars);
    if (group !== "") this.groups[slot] = group;
    return slot;
  }

  /** Number of steps of a slot. */
  steps(h: number): number {
    return this.stepCounts![h]!;
  }

  /** Code points of prompt + steps + answer of a slot. */
  chars(h: number): number {
    return this.charCounts![h]!;
  }

  /** Id of a slot (or of the probe). */
  id(h: number): string {
    return h === PROBE ? this.probe.id : this.ids.get(h);
  }

  /** Content hash of a slot (or of the probe). */
  contentHash(h: number): string {
    return h === PROBE ? this.probe.contentHash : this.hashes.get(h);
  }

  /** Sampling rank of a slot (or of the probe). */
  rank(h: number): number {
    return h === PROBE ? this.probe.rank : (this.ranks?.[h] ?? 0);
  }

  /** Stratum number of a slot. */
  stratum(h: number): number {
    return this.strata?.[h] ?? 0;
  }

  /** Dedup key of a slot (or of the probe, whose key is passed to admit). */
  group(h: number): string {
    return this.groups[h] ?? "";
  }

  /** Compares creation times as the strings compare: negative, 0 or positive. */
  compareTime(a: number, b: number): number {
    const ta = a === PROBE ? this.probeTime : (this.times?.[a] ?? Number.NaN);
    const tb = b === PROBE ? this.probeTime : (this.times?.[b] ?? Number.NaN);
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
    const sa = this.timeText(a);
    const sb = this.timeText(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }

  /**
   * The ids of the given slots, packed: a view of the pool's bytes that keeps `slots` (do not change it
   * afterwards), or a copy when the pool holds mostly other candidates.
   */
  packedIds(slots: Int32Array): PackedStrings {
    return pick(this.ids, slots);
  }

  /** The content hashes of the given slots, packed (see {@link packedIds}). */
  packedHashes(slots: Int32Array): PackedStrings {
    return pick(this.hashes, slots);
  }

  private timeText(h: number): string {
    if (h === PROBE) return this.probe.createdAt;
    const t = this.times?.[h] ?? Number.NaN;
    return this.oddTimes.get(h) ?? (Number.isNaN(t) ? "" : new Date(t).toISOString());
  }

  /** Epoch ms of a standard store time, NaN for any other string (consecutive traces often share one). */
  private timeOf(text: string): number {
    if (text === this.lastText) return this.lastTime;
    let ms = Number.NaN;
    if (STANDARD_TIME.test(text)) {
      const parsed = Date.parse(text);
      if (!Number.isNaN(parsed) && new Date(parsed).toISOString() === text) ms = parsed;
    }
    this.lastText = text;
    this.lastTime = ms;
    return ms;
  }
}

function pick(all: PackedStringsBuilder, slots: Int32Array): PackedStrings {
  const view = all.view(slots);
  return slots.length * 2 < all.length ? view.copy() : view;
}

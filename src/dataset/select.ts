import { TunixError } from "../errors.js";
import { canonicalJson } from "../internal/canonical-json.js";
import { codePointLength } from "../internal/codepoints.js";
import type { StoredTrace } from "../storage/index.js";
import { dedupKey } from "./dedup.js";
import { CandidatePool, PROBE } from "./candidates.js";
import { BoundedHeap, HandlePositions } from "./heap.js";
import { sampleRank, seedTag } from "./priority.js";
import { MAX_STRATA, type DatasetRequest } from "./request.js";

/** Stratum label of traces whose meta lacks the stratify path. */
export const MISSING_STRATUM = "(missing)";

/** What the selector returns. */
export interface SelectionResult {
  /** The candidates' columns. */
  pool: CandidatePool;
  /** Slots of the selected candidates, in dataset order. */
  selected: Int32Array;
  /** Candidates seen. */
  candidateCount: number;
  /** Candidates per stratum (stratified only). */
  stratumCandidates?: Record<string, number>;
  /** Stratum label of a slot ("" when not stratified). */
  stratumOf: (slot: number) => string;
}

interface Bucket {
  heap: BoundedHeap;
  /** Dedup key → slot of the candidate holding it. */
  groups: Map<string, number>;
}

/** Newest first; ties by id descending (store times order like their strings). */
function betterLatest(pool: CandidatePool, a: number, b: number): boolean {
  const t = pool.compareTime(a, b);
  return t !== 0 ? t > 0 : pool.id(a) > pool.id(b);
}

/** Lowest rank first; ties by content hash, then (identical content) by id, ascending. */
function betterRank(pool: CandidatePool, a: number, b: number): boolean {
  const ra = pool.rank(a);
  const rb = pool.rank(b);
  if (ra !== rb) return ra < rb;
  const ha = pool.contentHash(a);
  const hb = pool.contentHash(b);
  return ha !== hb ? ha < hb : pool.id(a) < pool.id(b);
}

/** Stratum label of a meta value: strings as they are, other JSON values as canonical JSON. */
export function stratumOf(meta: unknown, path: readonly string[]): string {
  let cur: unknown = meta;
  for (const part of path) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return MISSING_STRATUM;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === "string" ? cur : canonicalJson(cur);
}

function traceChars(t: StoredTrace["trace"]): number {
  let n = codePointLength(t.prompt) + codePointLength(t.final_answer);
  for (const s of t.steps) n += codePointLength(s.content);
  return n;
}

/**
 * Streaming top-k selection shared by every strategy: one bounded heap (one per stratum when stratified)
 * of candidate slots ranked by a total order that depends only on each trace (created_at + id, or a
 * seeded hash of its content), so the result is the same for any stream order, any adapter, any batch
 * size. Candidates live in a {@link CandidatePool}; a trace that cannot make the cut never enters it.
 */
export class Selector {
  private readonly pool = new CandidatePool();
  /** Heap positions, only needed to replace a duplicate (dedupe). */
  private readonly positions: HandlePositions | undefined;
  private readonly buckets = new Map<number, Bucket>();
  private readonly counts = new Map<string, number>();
  /** Stratum label → number, and back. */
  private readonly strata = new Map<string, number>();
  private readonly labels: string[] = [];
  private readonly latest: boolean;
  private readonly better: (a: number, b: number) => boolean;
  private readonly seed: string;
  private readonly path: string[] | undefined;
  private seen = 0;

  /** @param request - a validated request. */
  constructor(private readonly request: DatasetRequest) {
    this.latest = request.strategy === "latest";
    const pool = this.pool;
    this.better = this.latest ? (a, b) => betterLatest(pool, a, b) : (a, b) => betterRank(pool, a, b);
    this.seed = request.seed === undefined ? "" : seedTag(request.seed);
    this.path = request.stratify?.by.split(".");
    this.positions = request.dedupe ? new HandlePositions() : undefined;
  }

  private bucket(stratum: number): Bucket | undefined {
    let b = this.buckets.get(stratum);
    if (b !== undefined) return b;
    const quotas = this.request.stratify?.quotas;
    let capacity = this.request.limit ?? Infinity;
    if (quotas !== undefined) {
      const label = this.labels[stratum]!;
      if (!Object.hasOwn(quotas, label)) return undefined;
      capacity = quotas[label]!;
    }
    b = { heap: new BoundedHeap(capacity, this.better, this.positions), groups: new Map() };
    this.buckets.set(stratum, b);
    return b;
  }

  /** The number of a stratum label, counting its candidate. */
  private stratumNumber(label: string): number {
    const n = this.counts.get(label);
    if (n === undefined && this.counts.size >= MAX_STRATA) {
      throw new TunixError(
        "DATASET_INVALID",
        `stratify.by "${this.request.stratify!.by}" has more than ${MAX_STRATA} distinct values; stratify by a coarser field`,
      );
    }
    this.counts.set(label, (n ?? 0) + 1);
    let k = this.strata.get(label);
    if (k === undefined) {
      k = this.labels.push(label) - 1;
      this.strata.set(label, k);
    }
    return k;
  }

  /** Offers one stored trace. */
  offer(st: StoredTrace): void {
    this.seen++;
    const stratum = this.path === undefined ? 0 : this.stratumNumber(stratumOf(st.trace.meta, this.path));
    const bucket = this.bucket(stratum);
    if (bucket === undefined) return;
    const rank = this.latest ? 0 : sampleRank(this.seed, st.content_hash);
    const pool = this.pool;
    pool.setProbe({ id: st.id, contentHash: st.content_hash, createdAt: this.latest ? st.created_at : "", rank, stratum });
    if (!bucket.heap.accepts(PROBE)) return;
    let group = "";
    if (this.request.dedupe) {
      group = dedupKey(st.trace);
      const existing = bucket.groups.get(group);
      if (existing !== undefined) {
        if (!this.better(PROBE, existing)) return;
        bucket.heap.remove(existing);
      }
    }
    const slot = pool.admit(st.trace.steps.length, traceChars(st.trace), group);
    const out = bucket.heap.offer(slot);
    if (this.request.dedupe) {
      bucket.groups.set(group, slot);
      if (out !== undefined && out !== slot) bucket.groups.delete(pool.group(out));
    }
  }

  /**
   * For `latest` fed in `created_at`-descending order: true once no later trace can be selected (the heap
   * is full and the trace just offered is older than its oldest kept trace), so the stream can stop early.
   */
  exhausted(): boolean {
    if (!this.latest || this.path !== undefined) return false;
    const heap = this.buckets.get(0)?.heap;
    const worst = heap?.worst();
    return heap !== undefined && heap.full && worst !== undefined && this.pool.compareTime(PROBE, worst) < 0;
  }

  /** The selection, in dataset order. */
  finish(): SelectionResult {
    const limit = this.request.limit;
    let selected: ArrayLike<number>;
    if (this.path === undefined) {
      selected = this.buckets.get(0)?.heap.sorted() ?? new Int32Array(0);
    } else {
      const quotas = this.request.stratify?.quotas ?? proportionalQuotas(this.counts, limit!);
      const merged: number[] = [];
      for (const [stratum, bucket] of this.buckets) {
        const best = bucket.heap.sorted();
        const take = Math.min(best.length, quotas[this.labels[stratum]!] ?? 0);
        for (let i = 0; i < take; i++) merged.push(best[i]!);
      }
      selected = merged.sort((a, b) => (this.better(a, b) ? -1 : 1));
    }
    const labels = this.labels;
    const pool = this.pool;
    const result: SelectionResult = {
      pool,
      selected: selected instanceof Int32Array ? selected : Int32Array.from(selected),
      candidateCount: this.seen,
      stratumOf: this.path === undefined ? () => "" : (slot) => labels[pool.stratum(slot)]!,
    };
    if (this.path !== undefined) result.stratumCandidates = sortedRecord(this.counts);
    return result;
  }
}

function sortedRecord(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k)!;
  return out;
}

/**
 * Shares `limit` among strata in proportion to their candidate counts, by largest remainder (ties by
 * stratum name), in exact integer arithmetic. When `limit` covers every candidate, each stratum gets all.
 *
 * @param counts - candidates per stratum.
 * @param limit - total to share.
 */
export function proportionalQuotas(counts: ReadonlyMap<string, number>, limit: number): Record<string, number> {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  if (limit >= total) {
    for (const [k, n] of counts) out[k] = n;
    return out;
  }
  const rems: { k: string; r: number }[] = [];
  let given = 0;
  for (const [k, n] of counts) {
    const q = Math.floor((limit * n) / total);
    out[k] = q;
    given += q;
    rems.push({ k, r: (limit * n) % total });
  }
  rems.sort((a, b) => b.r - a.r || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  for (let i = 0; i < limit - given; i++) out[rems[i]!.k]! += 1;
  return out;
}

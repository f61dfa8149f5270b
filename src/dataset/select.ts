import { TunixError } from "../errors.js";
import { canonicalJson } from "../internal/canonical-json.js";
import { codePointLength } from "../internal/codepoints.js";
import type { StoredTrace } from "../storage/index.js";
import { dedupKey } from "./dedup.js";
import { BoundedHeap, type HeapItem } from "./heap.js";
import { sampleRank, seedTag } from "./priority.js";
import { MAX_STRATA, type DatasetRequest } from "./request.js";

/** Stratum label of traces whose meta lacks the stratify path. */
export const MISSING_STRATUM = "(missing)";

/** A candidate the selector keeps: only small fields, never the trace body. */
export interface Candidate extends HeapItem {
  /** Store id. */
  id: string;
  /** Store creation time (ISO-8601 UTC ms); "" when the strategy does not need it. */
  created_at: string;
  /** Content hash. */
  content_hash: string;
  /** Sampling rank, or 0 for `latest`. */
  rank: number;
  /** Stratum label ("" when not stratified). */
  stratum: string;
  /** Dedup key (only with `dedupe`). */
  group: string;
  /** Number of steps. */
  steps: number;
  /** Code points of prompt + step contents + final answer. */
  chars: number;
}

/** What the selector returns. */
export interface SelectionResult {
  /** Selected candidates in dataset order. */
  selected: Candidate[];
  /** Candidates seen. */
  candidateCount: number;
  /** Candidates per stratum (stratified only). */
  stratumCandidates?: Record<string, number>;
}

interface Bucket {
  heap: BoundedHeap<Candidate>;
  groups: Map<string, Candidate>;
}

/** Newest first; ties by id descending (store times are fixed-width ISO strings, so string order is time order). */
function betterLatest(a: Candidate, b: Candidate): boolean {
  return a.created_at !== b.created_at ? a.created_at > b.created_at : a.id > b.id;
}

/** Lowest rank first; ties by content hash, then (identical content) by id, ascending. */
function betterRank(a: Candidate, b: Candidate): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.content_hash !== b.content_hash ? a.content_hash < b.content_hash : a.id < b.id;
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
 * ranked by a total order that depends only on each trace (created_at + id, or a seeded hash of its
 * content), so the result is the same for any stream order, any adapter, any batch size.
 */
export class Selector {
  private readonly buckets = new Map<string, Bucket>();
  private readonly counts = new Map<string, number>();
  private readonly labels = new Map<string, string>();
  private readonly latest: boolean;
  private readonly better: (a: Candidate, b: Candidate) => boolean;
  private readonly seed: string;
  private readonly path: string[] | undefined;
  private seen = 0;

  /** @param request - a validated request. */
  constructor(private readonly request: DatasetRequest) {
    this.latest = request.strategy === "latest";
    this.better = this.latest ? betterLatest : betterRank;
    this.seed = request.seed === undefined ? "" : seedTag(request.seed);
    this.path = request.stratify?.by.split(".");
  }

  private bucket(stratum: string): Bucket | undefined {
    let b = this.buckets.get(stratum);
    if (b !== undefined) return b;
    const quotas = this.request.stratify?.quotas;
    let capacity = this.request.limit ?? Infinity;
    if (quotas !== undefined) {
      if (!Object.hasOwn(quotas, stratum)) return undefined;
      capacity = quotas[stratum]!;
    }
    b = { heap: new BoundedHeap<Candidate>(capacity, this.better), groups: new Map() };
    this.buckets.set(stratum, b);
    return b;
  }

  /** Offers one stored trace. */
  offer(st: StoredTrace): void {
    this.seen++;
    let stratum = "";
    if (this.path !== undefined) {
      stratum = stratumOf(st.trace.meta, this.path);
      const label = stratum;
      const n = this.counts.get(label);
      if (n === undefined && this.counts.size >= MAX_STRATA) {
        throw new TunixError(
          "DATASET_INVALID",
          `stratify.by "${this.request.stratify!.by}" has more than ${MAX_STRATA} distinct values; stratify by a coarser field`,
        );
      }
      this.counts.set(label, (n ?? 0) + 1);
      stratum = this.labels.get(label) ?? (this.labels.set(label, label), label); // one string per stratum
    }
    const bucket = this.bucket(stratum);
    if (bucket === undefined) return;
    const rank = this.latest ? 0 : sampleRank(this.seed, st.content_hash);
    const created = this.latest ? st.created_at : "";
    const c: Candidate = { pos: -1, id: st.id, created_at: created, content_hash: st.content_hash, rank, stratum, group: "", steps: 0, chars: 0 };
    if (!bucket.heap.accepts(c)) return;
    if (this.request.dedupe) {
      c.group = dedupKey(st.trace);
      const existing = bucket.groups.get(c.group);
      if (existing !== undefined) {
        if (!this.better(c, existing)) return;
        bucket.heap.remove(existing);
      }
    }
    c.steps = st.trace.steps.length;
    c.chars = traceChars(st.trace);
    const out = bucket.heap.offer(c);
    if (this.request.dedupe) {
      bucket.groups.set(c.group, c);
      if (out !== undefined && out !== c) bucket.groups.delete(out.group);
    }
  }

  /**
   * For `latest` fed in `created_at`-descending order: true once no later trace can be selected (the heap
   * is full and `createdAt` is older than its oldest kept trace), so the stream can stop early.
   *
   * @param createdAt - creation time of the trace just offered.
   */
  exhausted(createdAt: string): boolean {
    if (!this.latest || this.path !== undefined) return false;
    const heap = this.buckets.get("")?.heap;
    const worst = heap?.worst();
    return heap !== undefined && heap.full && worst !== undefined && createdAt < worst.created_at;
  }

  /** The selection, in dataset order. */
  finish(): SelectionResult {
    const limit = this.request.limit;
    let selected: Candidate[];
    if (this.path === undefined) {
      selected = this.buckets.get("")?.heap.sorted() ?? [];
    } else {
      const quotas = this.request.stratify?.quotas ?? proportionalQuotas(this.counts, limit!);
      selected = [];
      for (const [stratum, bucket] of this.buckets) selected.push(...bucket.heap.sorted().slice(0, quotas[stratum] ?? 0));
      selected.sort((a, b) => (this.better(a, b) ? -1 : 1));
    }
    const result: SelectionResult = { selected, candidateCount: this.seen };
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

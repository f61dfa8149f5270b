import { createHash, type Hash } from "node:crypto";
import { hashJson } from "../internal/hash.js";

/** Version of the selection operation; bumped whenever the same request could select differently. */
export const SELECT_OP = "select@1";

/**
 * Streaming sha256 over a list of `[id, content_hash]` pairs: one canonical JSON line (`["id","hash"]\n`)
 * per pair, in dataset order. Equivalent to hashing the canonical JSON lines of the whole list, without
 * holding it as one string (1M pairs would be ~110 MB).
 */
export class SelectionDigest {
  private readonly hash: Hash = createHash("sha256");
  private n = 0;

  /** Adds the next pair. */
  add(id: string, contentHash: string): void {
    // canonicalJson of an array of two strings is exactly JSON.stringify's text (and ~5× cheaper).
    this.hash.update(`${JSON.stringify([id, contentHash])}\n`);
    this.n++;
  }

  /** Pairs added so far. */
  get count(): number {
    return this.n;
  }

  /** The hex digest (call once). */
  digest(): string {
    return this.hash.digest("hex");
  }
}

/** The inputs of a dataset fingerprint. */
export interface FingerprintInput {
  /** Normalized request (see normalizeRequest). */
  args: Record<string, unknown>;
  /** Parent dataset fingerprint, or null for a root dataset. */
  parent: string | null;
  /** {@link SelectionDigest} of the selected ids + content hashes in order. */
  selection: string;
  /** Sampler name. */
  sampler: string;
  /** RNG name. */
  rng: string;
}

/**
 * The fingerprint chain link of a build: sha256 of the canonical JSON of
 * `{op: "select@1", args, parent, selection, sampler, rng}`. Changing the request, the parent, the selected
 * traces (ids, order or content) or the algorithm version changes it; created_at, build ids, names and
 * output paths do not.
 *
 * @param input - the fingerprint inputs.
 */
export function datasetFingerprint(input: FingerprintInput): string {
  return hashJson({ op: SELECT_OP, ...input });
}

/**
 * Fingerprint of one split: chains the dataset fingerprint, the split's name and fraction, and the digest
 * of that split's own `[id, content_hash]` pairs.
 *
 * @param datasetFp - the dataset's fingerprint.
 * @param name - split name.
 * @param fraction - requested fraction.
 * @param selection - {@link SelectionDigest} of the split's pairs in dataset order.
 */
export function splitFingerprint(datasetFp: string, name: string, fraction: number, selection: string): string {
  return hashJson({ op: "split@1", parent: datasetFp, args: { split: name, fraction }, selection });
}

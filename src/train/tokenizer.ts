/**
 * Byte-level tokenizer with atomic special tokens and an optional deterministic BPE.
 *
 * Ids: 0 `<pad>`, 1 `<bos>`, 2 `<eos>`, 3 `<start_of_turn>`, 4 `<end_of_turn>`, then the 256 UTF-8 bytes
 * (5…260), then BPE merges in rank order. Special tokens are recognised as whole strings in the text, so
 * a rendered Gemma conversation that starts with `<bos>` encodes to exactly one `<bos>` id.
 *
 * BPE merges never cross a pre-token boundary: words (with one leading space), runs of punctuation,
 * whitespace runs, and every digit on its own (so numbers stay digit-by-digit, which is what
 * column arithmetic needs). Shorter sequences are the cheapest speed-up there is (fewer positions to
 * attend over, fewer tokens per example).
 */
import { TunixError } from "../errors.js";
import { hashJson } from "../internal/hash.js";

/** The special tokens, in id order. */
export const SPECIAL_TOKENS = ["<pad>", "<bos>", "<eos>", "<start_of_turn>", "<end_of_turn>"] as const;
/** A special token. */
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];
/** Id of the first byte token (`0x00`). */
export const BYTE_OFFSET = SPECIAL_TOKENS.length;
/** Ids of the special tokens by name. */
export const SPECIAL_IDS = { pad: 0, bos: 1, eos: 2, startOfTurn: 3, endOfTurn: 4 } as const;

/** The serialisable tokenizer definition (saved with every checkpoint). */
export interface TokenizerSpec {
  /** Format tag. */
  readonly type: "byte-bpe";
  /** Format version. */
  readonly version: 1;
  /** Special tokens in id order. */
  readonly specials: readonly string[];
  /** BPE merges in rank order: merge i creates id `BYTE_OFFSET + 256 + i` from the pair. */
  readonly merges: ReadonlyArray<readonly [number, number]>;
}

const SPECIAL_RE = new RegExp(SPECIAL_TOKENS.map((s) => s.replace(/[<>]/g, (c) => `\\${c}`)).join("|"), "g");
// Pre-tokens: optional space + letters, optional space + punctuation run, one digit, whitespace run.
const PRETOKEN_RE = / ?\p{L}+| ?[^\s\p{L}\p{N}]+|\p{N}|\s+/gu;
const utf8 = new TextEncoder();

/** Splits text into special-token ids and plain-text pieces, in order. */
function splitSpecials(text: string): Array<number | string> {
  const out: Array<number | string> = [];
  let last = 0;
  for (const m of text.matchAll(SPECIAL_RE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(SPECIAL_TOKENS.indexOf(m[0] as SpecialToken));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function pretokens(text: string): string[] {
  return text.match(PRETOKEN_RE) ?? [];
}

function bytesOf(piece: string): number[] {
  return Array.from(utf8.encode(piece), (b) => b + BYTE_OFFSET);
}

/** Encode/decode text; build with {@link createByteTokenizer}, {@link trainBpeTokenizer} or {@link tokenizerFromSpec}. */
export class Tokenizer {
  /** Number of ids (specials + 256 bytes + merges). */
  readonly vocabSize: number;
  /** The serialisable definition. */
  readonly spec: TokenizerSpec;
  private readonly ranks = new Map<number, number>();
  private readonly pieces: Uint8Array[] = [];
  private readonly cache = new Map<string, number[]>();
  private readonly decoder = new TextDecoder("utf-8");

  /** @param spec - a validated spec (use {@link tokenizerFromSpec} for untrusted input). */
  constructor(spec: TokenizerSpec) {
    this.spec = spec;
    this.vocabSize = BYTE_OFFSET + 256 + spec.merges.length;
    for (let i = 0; i < BYTE_OFFSET; i++) this.pieces.push(new Uint8Array(0));
    for (let b = 0; b < 256; b++) this.pieces.push(Uint8Array.of(b));
    spec.merges.forEach(([a, b], i) => {
      this.ranks.set(a * 65536 + b, i);
      const pa = this.pieces[a]!;
      const pb = this.pieces[b]!;
      const joined = new Uint8Array(pa.length + pb.length);
      joined.set(pa);
      joined.set(pb, pa.length);
      this.pieces.push(joined);
    });
  }

  /** Short content hash of the spec (recorded in manifests and checkpoints). */
  get hash(): string {
    return hashJson(this.spec);
  }

  private encodePiece(piece: string): number[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    let ids = bytesOf(piece);
    while (ids.length > 1 && this.ranks.size > 0) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < ids.length - 1; i++) {
        const r = this.ranks.get(ids[i]! * 65536 + ids[i + 1]!);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const merged = BYTE_OFFSET + 256 + bestRank;
      const next: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i < ids.length - 1 && this.ranks.get(ids[i]! * 65536 + ids[i + 1]!) === bestRank) {
          next.push(merged);
          i++;
        } else next.push(ids[i]!);
      }
      ids = next;
    }
    if (this.cache.size < 100_000) this.cache.set(piece, ids);
    return ids;
  }

  /**
   * Token ids of `text`. Special-token strings become their single id.
   *
   * @param text - any string.
   * @param options - `addBos`: prepend `<bos>` unless the text already starts with it (never two).
   */
  encode(text: string, options: { addBos?: boolean } = {}): number[] {
    const out: number[] = [];
    for (const part of splitSpecials(text)) {
      if (typeof part === "number") out.push(part);
      else for (const p of pretokens(part)) for (const id of this.encodePiece(p)) out.push(id);
    }
    if (options.addBos && out[0] !== SPECIAL_IDS.bos) out.unshift(SPECIAL_IDS.bos);
    return out;
  }

  /**
   * Text of `ids`. Special tokens are written as their strings unless `skipSpecial`; invalid UTF-8
   * becomes U+FFFD.
   *
   * @param ids - token ids.
   * @param options - `skipSpecial`: drop special tokens.
   */
  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    let out = "";
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length > 0) out += this.decoder.decode(Uint8Array.from(bytes));
      bytes = [];
    };
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TunixError("TOKENIZER_ERROR", `decode: id ${id} outside the vocabulary (size ${this.vocabSize})`);
      }
      if (id < BYTE_OFFSET) {
        flush();
        if (!options.skipSpecial) out += SPECIAL_TOKENS[id];
      } else for (const b of this.pieces[id]!) bytes.push(b);
    }
    flush();
    return out;
  }

  /** The spec, for JSON. */
  toJSON(): TokenizerSpec {
    return this.spec;
  }
}

/** A plain byte-level tokenizer (vocabulary 261). */
export function createByteTokenizer(): Tokenizer {
  return new Tokenizer({ type: "byte-bpe", version: 1, specials: [...SPECIAL_TOKENS], merges: [] });
}

/**
 * Rebuilds a tokenizer from a saved spec, validating it (throws `TOKENIZER_ERROR` naming the problem).
 *
 * @param spec - a value from `tokenizer.toJSON()`.
 */
export function tokenizerFromSpec(spec: unknown): Tokenizer {
  const s = spec as Partial<TokenizerSpec> | null;
  if (!s || s.type !== "byte-bpe" || s.version !== 1) {
    throw new TunixError("TOKENIZER_ERROR", "tokenizer spec: expected {type: \"byte-bpe\", version: 1, ...}");
  }
  if (!Array.isArray(s.specials) || s.specials.join("|") !== SPECIAL_TOKENS.join("|")) {
    throw new TunixError("TOKENIZER_ERROR", `tokenizer spec: specials must be ${SPECIAL_TOKENS.join(", ")}`);
  }
  if (!Array.isArray(s.merges)) throw new TunixError("TOKENIZER_ERROR", "tokenizer spec: merges must be an array");
  s.merges.forEach((m, i) => {
    const limit = BYTE_OFFSET + 256 + i;
    if (!Array.isArray(m) || m.length !== 2 || !m.every((x) => Number.isInteger(x) && x >= BYTE_OFFSET && x < limit)) {
      throw new TunixError("TOKENIZER_ERROR", `tokenizer spec: merges[${i}] must be a pair of existing non-special ids`);
    }
  });
  return new Tokenizer({ type: "byte-bpe", version: 1, specials: [...SPECIAL_TOKENS], merges: s.merges.map(([a, b]) => [a, b] as const) });
}

/** Options for {@link trainBpeTokenizer}. */
export interface TrainBpeOptions {
  /** Maximum vocabulary size including specials and bytes (≥ 261); smaller when pairs run out. Default 512. */
  readonly vocabSize?: number;
  /** Pairs seen fewer times than this are never merged. Default 2. */
  readonly minFrequency?: number;
}

/**
 * Learns BPE merges from `texts`, deterministically: the most frequent adjacent pair wins, ties go to
 * the smallest `(left, right)` id pair. Same texts (in any order) ⇒ same merges.
 *
 * @param texts - training text (e.g. every rendered prompt and completion).
 * @param options - vocabulary size and minimum pair frequency.
 */
export function trainBpeTokenizer(texts: Iterable<string>, options: TrainBpeOptions = {}): Tokenizer {
  const vocabSize = options.vocabSize ?? 512;
  const minFrequency = options.minFrequency ?? 2;
  if (!Number.isInteger(vocabSize) || vocabSize < BYTE_OFFSET + 256 || vocabSize > 65535) {
    throw new TunixError("TOKENIZER_ERROR", `vocabSize: expected an integer in [${BYTE_OFFSET + 256}, 65535], got ${vocabSize}`);
  }
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const part of splitSpecials(text)) {
      if (typeof part === "number") continue;
      for (const p of pretokens(part)) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
  }
  const words = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([w, n]) => ({ ids: bytesOf(w), n }));
  const merges: Array<[number, number]> = [];
  while (BYTE_OFFSET + 256 + merges.length < vocabSize) {
    const pairs = new Map<number, number>();
    for (const w of words) {
      for (let i = 0; i < w.ids.length - 1; i++) {
        const key = w.ids[i]! * 65536 + w.ids[i + 1]!;
        pairs.set(key, (pairs.get(key) ?? 0) + w.n);
      }
    }
    let bestKey = -1;
    let bestCount = 0;
    for (const [key, n] of pairs) if (n > bestCount || (n === bestCount && key < bestKey)) [bestKey, bestCount] = [key, n];
    if (bestKey < 0 || bestCount < minFrequency) break;
    const a = Math.floor(bestKey / 65536);
    const b = bestKey % 65536;
    const id = BYTE_OFFSET + 256 + merges.length;
    merges.push([a, b]);
    for (const w of words) {
      if (w.ids.length < 2) continue;
      const next: number[] = [];
      for (let i = 0; i < w.ids.length; i++) {
        if (i < w.ids.length - 1 && w.ids[i] === a && w.ids[i + 1] === b) {
          next.push(id);
          i++;
        } else next.push(w.ids[i]!);
      }
      w.ids = next;
    }
  }
  return new Tokenizer({ type: "byte-bpe", version: 1, specials: [...SPECIAL_TOKENS], merges });
}

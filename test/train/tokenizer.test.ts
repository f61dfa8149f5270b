import { describe, expect, it } from "vitest";
import {
  BYTE_OFFSET,
  SPECIAL_IDS,
  createByteTokenizer,
  tokenizerFromSpec,
  trainBpeTokenizer,
} from "../../src/train/tokenizer.js";
import { isTunixError } from "../../src/errors.js";

const convo = "<bos><start_of_turn>user\nWhat is 960 - 69?<end_of_turn>\n<start_of_turn>model\nAnswer: 891<end_of_turn>\n";

describe("byte tokenizer", () => {
  const tok = createByteTokenizer();

  it("has 5 specials + 256 bytes and round-trips unicode", () => {
    expect(tok.vocabSize).toBe(261);
    const text = "héllo wörld — 数学 🙂\n\t";
    const ids = tok.encode(text);
    expect(ids.every((i) => i >= BYTE_OFFSET)).toBe(true);
    expect(tok.decode(ids)).toBe(text);
  });

  it("encodes special tokens atomically", () => {
    const ids = tok.encode(convo);
    expect(ids[0]).toBe(SPECIAL_IDS.bos);
    expect(ids[1]).toBe(SPECIAL_IDS.startOfTurn);
    expect(ids.filter((i) => i === SPECIAL_IDS.endOfTurn)).toHaveLength(2);
    expect(tok.decode(ids)).toBe(convo);
    expect(tok.decode(ids, { skipSpecial: true })).not.toContain("<");
  });

  it("never adds a second <bos> to a rendered conversation", () => {
    const ids = tok.encode(convo, { addBos: true });
    expect(ids.filter((i) => i === SPECIAL_IDS.bos)).toHaveLength(1);
    expect(tok.encode("plain", { addBos: true })[0]).toBe(SPECIAL_IDS.bos);
    expect(tok.encode("plain", { addBos: true }).filter((i) => i === SPECIAL_IDS.bos)).toHaveLength(1);
  });

  it("rejects ids outside the vocabulary", () => {
    expect(() => tok.decode([261])).toThrowError(/id 261 outside the vocabulary \(size 261\)/);
  });
});

describe("BPE tokenizer", () => {
  const texts = Array.from({ length: 200 }, (_, i) => `What is ${i} + ${i * 7}? The answer is ${i * 8}. Reasoning: ones tens hundreds`);

  it("is deterministic and independent of input order", () => {
    const a = trainBpeTokenizer(texts, { vocabSize: 300 });
    const b = trainBpeTokenizer([...texts].reverse(), { vocabSize: 300 });
    expect(a.spec.merges).toEqual(b.spec.merges);
    expect(a.hash).toBe(b.hash);
    expect(a.vocabSize).toBeLessThanOrEqual(300);
    expect(a.vocabSize).toBeGreaterThan(280);
  });

  it("shortens text, round-trips, keeps digits as single tokens and specials atomic", () => {
    const tok = trainBpeTokenizer(texts, { vocabSize: 320 });
    const byte = createByteTokenizer();
    const s = "What is 123 + 45? The answer is 168.<end_of_turn>";
    const ids = tok.encode(s);
    expect(ids.length).toBeLessThan(byte.encode(s).length);
    expect(tok.decode(ids)).toBe(s);
    for (const d of "0123456789") expect(tok.encode(d)).toEqual([d.charCodeAt(0) + BYTE_OFFSET]);
    expect(tok.encode("12")).toHaveLength(2);
    expect(ids.at(-1)).toBe(SPECIAL_IDS.endOfTurn);
  });

  it("round-trips through its spec and validates bad specs", () => {
    const tok = trainBpeTokenizer(texts, { vocabSize: 280 });
    const back = tokenizerFromSpec(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(back.encode(texts[3]!)).toEqual(tok.encode(texts[3]!));
    expect(() => tokenizerFromSpec({ type: "byte-bpe", version: 1, specials: ["<pad>"], merges: [] })).toThrowError(/specials must be/);
    expect(() => tokenizerFromSpec({ type: "byte-bpe", version: 1, specials: tok.spec.specials, merges: [[1, 2]] })).toThrowError(
      /merges\[0\] must be a pair of existing non-special ids/,
    );
    try {
      trainBpeTokenizer(texts, { vocabSize: 100 });
      expect.unreachable();
    } catch (e) {
      expect(isTunixError(e, "TOKENIZER_ERROR")).toBe(true);
    }
  });
});

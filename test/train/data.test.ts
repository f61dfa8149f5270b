import { describe, expect, it } from "vitest";
import { BatchStream, buildBatch, encodeExamples, planEpoch } from "../../src/train/data.js";
import { SPECIAL_IDS, createByteTokenizer } from "../../src/train/tokenizer.js";

const tok = createByteTokenizer();
const pairs = Array.from({ length: 37 }, (_, i) => ({ prompt: `<bos>Q${"x".repeat(i % 7)}:`, completion: `A${i}<end_of_turn>` }));

describe("encodeExamples", () => {
  it("supervises exactly the completion tokens, ending with <end_of_turn>", () => {
    const { examples, stats } = encodeExamples(tok, [{ prompt: "<bos>hi:", completion: "yo" }], { maxTokens: 64 });
    const ex = examples[0]!;
    expect(Array.from(ex.ids)).toEqual([SPECIAL_IDS.bos, ...tok.encode("hi:yo"), SPECIAL_IDS.endOfTurn]);
    expect(ex.promptLen).toBe(4);
    expect(stats.supervisedTokens).toBe(3); // y, o, <end_of_turn>
    const b = buildBatch(examples, [[0]], { batching: "pad", blockSize: 64 });
    const supervisedTargets = Array.from(b.targets).filter((_, i) => b.weights[i] === 1);
    expect(supervisedTargets).toEqual([...tok.encode("yo"), SPECIAL_IDS.endOfTurn]);
  });

  it("truncates, and drops (and counts) rows with no supervised token left", () => {
    const long = { prompt: "<bos>" + "p".repeat(30), completion: "c" };
    const r = encodeExamples(tok, [long, { prompt: "a", completion: "b".repeat(40) }], { maxTokens: 16 });
    expect(r.stats).toMatchObject({ total: 2, kept: 1, truncated: 2, dropped: 1 });
    const left = encodeExamples(tok, [long], { maxTokens: 16, truncation: "left" });
    expect(left.stats.kept).toBe(1);
    expect(left.examples[0]!.ids[0]).toBe(SPECIAL_IDS.bos);
    expect(left.examples[0]!.ids.at(-1)).toBe(SPECIAL_IDS.endOfTurn);
    expect(encodeExamples(tok, [long], { maxTokens: 16, truncation: "drop" }).stats.dropped).toBe(1);
    expect(() => encodeExamples(tok, [long], { maxTokens: 16, truncation: "middle" as never })).toThrowError(/data.truncation/);
  });
});

describe("batching", () => {
  const { examples } = encodeExamples(tok, pairs, { maxTokens: 33 });

  it("pad: every example exactly once per epoch, rows padded to a multiple of 8", () => {
    const plan = planEpoch(examples, { batching: "pad", batchSize: 8, blockSize: 32, seed: 1, epoch: 0 });
    expect(plan.flat(2).sort((a, b) => a - b)).toEqual(examples.map((_, i) => i));
    const b = buildBatch(examples, plan[0]!, { batching: "pad", blockSize: 32 });
    expect(b.seqLen % 8).toBe(0);
    expect(b.causalOnly).toBe(true);
  });

  it("pack: several examples per row with restarting positions and distinct segments", () => {
    const plan = planEpoch(examples, { batching: "pack", batchSize: 4, blockSize: 32, seed: 1, epoch: 0 });
    expect(plan.flat(2).sort((a, b) => a - b)).toEqual(examples.map((_, i) => i));
    const b = buildBatch(examples, plan[0]!, { batching: "pack", blockSize: 32 });
    expect(b.causalOnly).toBe(false);
    const row0 = plan[0]![0]!;
    expect(row0.length).toBeGreaterThan(1);
    const first = examples[row0[0]!]!.ids.length - 1;
    expect(b.positions[first]).toBe(0);
    expect(b.segments[first - 1]).toBe(1);
    expect(b.segments[first]).toBe(2);
    expect(b.inputs[first]).toBe(SPECIAL_IDS.bos);
  });

  it("order depends only on (seed, epoch); a stream resumed from its cursor continues identically", () => {
    const opts = { batching: "pack" as const, batchSize: 4, blockSize: 32, seed: 7 };
    const a = new BatchStream(examples, opts);
    const seq = Array.from({ length: 9 }, () => a.next());
    const b = new BatchStream(examples, opts);
    for (let i = 0; i < 4; i++) b.next();
    const c = new BatchStream(examples, { ...opts, cursor: b.cursor });
    for (let i = 4; i < 9; i++) {
      const x = c.next();
      expect(Array.from(x.inputs)).toEqual(Array.from(seq[i]!.inputs));
    }
    expect(planEpoch(examples, { ...opts, epoch: 1 })).not.toEqual(planEpoch(examples, { ...opts, epoch: 0 }));
  });
});

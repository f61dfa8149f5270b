import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ARITHMETIC_TRAINING_MIX,
  DEFAULT_MIX,
  GENERATOR_NAMES,
  generateTraces,
  generateTracesJsonl,
  isHeldOutPrompt,
} from "../../src/generate/index.js";
import { isTunixError, type TunixError } from "../../src/errors.js";
import { parseTraceJsonl } from "../../src/schema/index.js";

const jsonl = (opts: Parameters<typeof generateTraces>[0]) => [...generateTracesJsonl(opts)].join("");
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function thrown(fn: () => unknown): TunixError {
  try {
    fn();
  } catch (e) {
    if (isTunixError(e)) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("generateTraces", () => {
  it("same seed ⇒ byte-identical JSONL, also in a separate process", () => {
    const a = jsonl({ count: 300, seed: 42 });
    expect(jsonl({ count: 300, seed: 42 })).toBe(a);
    expect(jsonl({ count: 300, seed: 43 })).not.toBe(a);
    const root = resolve(__dirname, "../..");
    const code = `import { generateTracesJsonl } from "./src/generate/index.ts"; import { createHash } from "node:crypto";
      process.stdout.write(createHash("sha256").update([...generateTracesJsonl({ count: 300, seed: 42 })].join("")).digest("hex"));`;
    const child = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
    expect(child).toBe(sha(a));
  });

  it("produces valid traces from every generator of the default mix", () => {
    const text = jsonl({ count: 600, seed: "all" });
    const parsed = parseTraceJsonl(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.traces).toHaveLength(600);
    const generators = new Set(parsed.traces.map((t) => (t.meta as { generator: string }).generator));
    expect([...generators].sort()).toEqual([...GENERATOR_NAMES].sort());
    expect(DEFAULT_MIX).toHaveLength(GENERATOR_NAMES.length);
    parsed.traces.forEach((t, k) => expect(t.meta).toMatchObject({ seed: "all", index: k }));
  });

  it("is a lazy stream: startIndex continues a sequence exactly", () => {
    const whole = jsonl({ count: 50, seed: 7 });
    expect(jsonl({ count: 20, seed: 7 }) + jsonl({ count: 30, seed: 7, startIndex: 20 })).toBe(whole);
    const it = generateTraces({ count: 10_000_000, seed: 1 })[Symbol.iterator]();
    expect(it.next().done).toBe(false); // nothing is materialized up front
  });

  it("works with for await", async () => {
    let n = 0;
    for await (const t of generateTraces({ count: 5, seed: 1 })) if (t.prompt) n++;
    expect(n).toBe(5);
  });

  it("accepts the weight shorthand and honours weights", () => {
    const traces = [...generateTraces({ mix: { logic: 3, string: 1 }, count: 400, seed: 5 })];
    const logic = traces.filter((t) => (t.meta as { generator: string }).generator === "logic").length;
    expect(logic).toBeGreaterThan(250);
    expect(logic).toBeLessThan(350);
    expect(traces.every((t) => ["logic", "string"].includes((t.meta as { generator: string }).generator))).toBe(true);
  });

  it("excludes held-out prompts by default and can draw only them", () => {
    const train = [...generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 2000, seed: 11 })];
    expect(train.some((t) => isHeldOutPrompt(t.prompt))).toBe(false);
    const only = [...generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 200, seed: 11, holdout: "only" })];
    expect(only.every((t) => isHeldOutPrompt(t.prompt))).toBe(true);
    const all = [...generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 2000, seed: 11, holdout: "ignore" })];
    const held = all.filter((t) => isHeldOutPrompt(t.prompt)).length;
    expect(held).toBeGreaterThan(150); // about 1 in 8
    expect(held).toBeLessThan(350);
  });

  it("uses the compact format for the demo's training mix", () => {
    const [t] = [...generateTraces({ mix: ARITHMETIC_TRAINING_MIX, count: 1, seed: 1 })];
    expect(t!.steps.at(-1)!.content).toBe(`result: ${t!.final_answer}`);
    expect(t!.steps[0]!.content).toMatch(/^ones: \d[+-]\d/);
  });

  it("rejects bad options eagerly with INVALID_ARGUMENT naming the field", () => {
    expect(thrown(() => generateTraces({ count: -1, seed: 1 })).message).toMatch(/^Invalid generateTraces options\ncount: /);
    expect(thrown(() => generateTraces({ count: 1.5, seed: 1 })).code).toBe("INVALID_ARGUMENT");
    expect(thrown(() => generateTraces({ count: 1 } as never)).message).toMatch(/seed/);
    expect(thrown(() => generateTraces({ count: 1, seed: 1, mix: [] })).message).toMatch(/mix: mix must name at least one generator/);
    expect(thrown(() => generateTraces({ count: 1, seed: 1, mix: [{ generator: "poetry" } as never] })).message).toMatch(/mix\[0\]/);
    expect(thrown(() => generateTraces({ count: 1, seed: 1, mix: { arithmetic: 0 } })).message).toMatch(/mix: mix weights must sum to more than 0/);
    const e = thrown(() => generateTraces({ count: 1, seed: 1, mix: [{ generator: "arithmetic", options: { digits: 99 } }] }));
    expect(e.issues[0]!.path).toEqual(["mix", 0, "options", "digits"]);
    expect(thrown(() => generateTraces({ count: 1, seed: 1, mix: [{ generator: "arithmetic", options: { digitz: 2 } as never }] })).message).toMatch(
      /digitz/,
    );
    expect(thrown(() => generateTraces({ count: 1, seed: 1, holdout: "maybe" as never })).message).toMatch(/holdout/);
    expect(thrown(() => generateTraces(null as never)).code).toBe("INVALID_ARGUMENT");
  });

  it("fails loudly instead of degrading when options ask for the impossible", () => {
    // a one-column subtraction with a >= b never borrows
    const gen = generateTraces({
      mix: [{ generator: "arithmetic", options: { operations: ["subtraction"], digits: 1, requireRegroup: true } }],
      count: 1,
      seed: 1,
    });
    expect(() => [...gen]).toThrowError(/requireRegroup: no subtraction with a borrow found for 1..1-digit operands/);
  });
});

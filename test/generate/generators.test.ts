import { describe, expect, it } from "vitest";
import {
  CARD_RANKS,
  cardName,
  cardValue,
  generateTraces,
  highCardDuelItem,
  standardDeck,
  syllogismItem,
  type GeneratorName,
} from "../../src/generate/index.js";
import { parseTrace, type ReasoningTrace } from "../../src/schema/index.js";

function tracesOf(generator: GeneratorName, count: number, options?: object): ReasoningTrace[] {
  const traces = [...generateTraces({ mix: [{ generator, ...(options ? { options } : {}) } as never], count, seed: `gen-${generator}` })];
  for (const t of traces) expect(parseTrace(t)).toEqual(t);
  return traces;
}
const meta = (t: ReasoningTrace) => t.meta as Record<string, unknown>;
const contents = (t: ReasoningTrace) => t.steps.map((s) => s.content);
const dollars = (cents: number) => `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

describe("word problems", () => {
  it("recomputes distance = speed × time with units in the answer", () => {
    const traces = tracesOf("word_problem", 300, { tasks: ["distance"] });
    const levels = new Set<unknown>();
    for (const t of traces) {
      const m = meta(t);
      levels.add(m.difficulty);
      const speed = Number(/at (\d+) (km\/h|mph)/.exec(t.prompt)![1]);
      const unit = /mph/.test(t.prompt) ? "miles" : "km";
      const hours = /for (\d+) hours?/.exec(t.prompt);
      const minutes = /for (\d+) minutes/.exec(t.prompt);
      const distance = hours ? speed * Number(hours[1]) : (speed * Number(minutes![1])) / 60;
      expect(Number.isInteger(distance)).toBe(true);
      expect(t.final_answer).toBe(`${distance} ${unit}`);
      expect(contents(t)[0]).toBe("distance = speed × time");
      for (const c of contents(t)) {
        const mul = /^(\d+) × (\d+) = (\d+)$/.exec(c);
        if (mul) expect(Number(mul[1]) * Number(mul[2])).toBe(Number(mul[3]));
        const div = /^(\d+) ÷ 60 = (\d+)$/.exec(c);
        if (div) expect(Number(div[1]) / 60).toBe(Number(div[2]));
      }
      expect(contents(t).at(-1)).toBe(`distance = ${distance} ${unit}`);
    }
    expect([...levels].sort()).toEqual(["easy", "hard", "medium"]);
  });

  it("recomputes percentages", () => {
    for (const t of tracesOf("word_problem", 200, { tasks: ["percentage"] })) {
      const [, whole, unit, pct] = /^A (\d+) (\w+) .* is (\d+)% /.exec(t.prompt)!;
      const part = (Number(whole) * Number(pct)) / 100;
      expect(Number.isInteger(part)).toBe(true);
      expect(t.final_answer).toBe(`${part} ${unit}`);
      expect(contents(t)).toEqual([
        "part = whole × percent ÷ 100",
        `${whole} × ${pct} = ${Number(whole) * Number(pct)}`,
        `${Number(whole) * Number(pct)} ÷ 100 = ${part}`,
        `part = ${part} ${unit}`,
      ]);
    }
  });

  it("recomputes unit prices in cents", () => {
    for (const t of tracesOf("word_problem", 200, { tasks: ["unit_price"] })) {
      const [, count, d, c] = /^If (\d+) \w+ cost \$(\d+)\.(\d\d) in total/.exec(t.prompt)!;
      const total = Number(d) * 100 + Number(c);
      expect(total % Number(count)).toBe(0);
      const price = total / Number(count);
      expect(t.final_answer).toBe(dollars(price));
      expect(contents(t)).toContain(`${total} ÷ ${count} = ${price}`);
      expect(contents(t)).toContain(`${price} cents = ${dollars(price)}`);
    }
  });
});

describe("string tasks", () => {
  it("recomputes reverse, sort, count, uppercase and repeat", () => {
    const tasks = new Set<unknown>();
    for (const t of tracesOf("string", 400)) {
      const task = meta(t).task;
      tasks.add(task);
      const input = String(meta(t).input);
      switch (task) {
        case "reverse":
          expect(t.prompt).toBe(`Reverse the string: '${input}'`);
          expect(t.final_answer).toBe([...input].reverse().join(""));
          break;
        case "sort":
          expect(t.final_answer).toBe([...input].sort().join(""));
          expect(t.final_answer).toHaveLength(input.length);
          break;
        case "count": {
          const letter = String(meta(t).letter);
          const expected = [...input].filter((c) => c === letter).length;
          expect(t.final_answer).toBe(String(expected));
          const positions = [...input].flatMap((c, i) => (c === letter ? [i + 1] : []));
          expect(contents(t)[1]).toBe(expected ? `'${letter}' at positions ${positions.join(", ")}` : `'${letter}' does not occur`);
          break;
        }
        case "uppercase":
          expect(t.final_answer).toBe(input.toUpperCase());
          break;
        case "repeat": {
          const times = Number(meta(t).times);
          expect(t.final_answer).toBe(input.repeat(times));
          expect(contents(t).slice(0, times)).toEqual(Array.from({ length: times }, (_, k) => `copy ${k + 1}: ${input.repeat(k + 1)}`));
          break;
        }
        default:
          throw new Error(`unexpected task ${String(task)}`);
      }
      expect(contents(t).at(-1)).toMatch(new RegExp(`${t.final_answer.replace(/[$]/g, "\\$")}$`));
    }
    expect(tasks.size).toBe(5);
  });
});

describe("logic syllogisms", () => {
  it("answers Yes exactly for the valid forms", () => {
    const item = syllogismItem("barbara", "wugs", "daxes", "feps");
    expect(item.prompt).toBe("All wugs are daxes. All daxes are feps. Does it follow that all wugs are feps? Answer Yes or No.");
    expect(item.final_answer).toBe("Yes");
    expect(syllogismItem("undistributed_middle", "wugs", "daxes", "feps").final_answer).toBe("No");
    const forms = new Set<unknown>();
    for (const t of tracesOf("logic", 200)) {
      const m = meta(t);
      forms.add(m.form);
      expect(t.final_answer).toBe(["barbara", "celarent", "darii"].includes(String(m.form)) ? "Yes" : "No");
      expect(new Set(m.terms as string[]).size).toBe(3);
      expect(contents(t).at(-1)).toMatch(/: (Yes|No)$/);
    }
    expect(forms.size).toBe(6);
  });
});

describe("High Card Duel", () => {
  it("uses a 52-card deck ranked 2 < … < A", () => {
    const deck = standardDeck();
    expect(deck).toHaveLength(52);
    expect(new Set(deck).size).toBe(52);
    expect(cardValue("2C")).toBe(2);
    expect(cardValue("TD")).toBe(10);
    expect(cardValue("AS")).toBe(14);
    expect(cardName("KH")).toBe("King of Hearts");
  });

  it("records meta {game, my_card, opponent_card, result} consistent with the cards", () => {
    const results = new Set<unknown>();
    for (const t of tracesOf("high_card_duel", 400)) {
      const m = meta(t);
      expect(m.game).toBe("high_card_duel");
      const my = String(m.my_card);
      const opp = String(m.opponent_card);
      expect(my).not.toBe(opp);
      expect(standardDeck()).toContain(my);
      expect(standardDeck()).toContain(opp);
      const expected = CARD_RANKS.indexOf(my[0]!) > CARD_RANKS.indexOf(opp[0]!) ? "win" : CARD_RANKS.indexOf(my[0]!) < CARD_RANKS.indexOf(opp[0]!) ? "loss" : "tie";
      expect(m.result).toBe(expected);
      results.add(m.result);
      if (m.task === "decision") {
        expect(t.final_answer).toBe("reveal");
        expect(contents(t)).toEqual(["Legal moves: [reveal]", `My hand: ${my} (${cardName(my)}, value ${cardValue(my)})`, "Unseen cards: 51", "Action chosen: reveal"]);
        expect(t.prompt).not.toContain(opp);
      } else {
        expect(t.final_answer).toBe(expected);
        expect(contents(t)[2]).toBe(`${cardValue(my)} ${expected === "win" ? ">" : expected === "loss" ? "<" : "="} ${cardValue(opp)}`);
      }
    }
    expect([...results].sort()).toEqual(["loss", "tie", "win"]);
    expect(highCardDuelItem("7S", "7H", "outcome").final_answer).toBe("tie");
  });
});

describe("edge cases", () => {
  it("covers minimal, unicode, long prompts, many steps and newlines, all correct", () => {
    const kinds = new Set<unknown>();
    for (const t of tracesOf("edge_case", 150, { maxSteps: 200 })) {
      const kind = meta(t).task;
      kinds.add(kind);
      switch (kind) {
        case "minimal": {
          const [x, y] = t.prompt.split("+").map(Number) as [number, number];
          expect(t.prompt.length).toBeLessThanOrEqual(3);
          expect(t.final_answer).toBe(String(x + y));
          break;
        }
        case "unicode": {
          const input = String(meta(t).input);
          expect(/[^\x00-\x7f]/.test(input)).toBe(true);
          expect(t.final_answer).toBe(meta(t).unicode_task === "reverse" ? Array.from(input).reverse().join("") : String(Array.from(input).length));
          break;
        }
        case "long_prompt": {
          const nums = /numbers: ([\d, ]+)\. Which/.exec(t.prompt)![1]!.split(", ").map(Number);
          expect(nums.length).toBe(meta(t).count);
          expect(t.prompt.length).toBeGreaterThan(1500);
          expect(t.final_answer).toBe(String(Math.max(...nums)));
          break;
        }
        case "many_steps": {
          const from = Number(meta(t).from);
          const to = Number(meta(t).to);
          let total = 0;
          for (let k = from; k <= to; k++) {
            const before = total;
            total += k;
            expect(t.steps[k - from]!.content).toBe(k === from ? `start: ${k}` : `${before}+${k}=${total}`);
          }
          expect(t.steps.length).toBe(to - from + 2);
          expect(t.steps.length).toBeLessThanOrEqual(200);
          expect(t.final_answer).toBe(String(((from + to) * (to - from + 1)) / 2));
          break;
        }
        case "newlines":
          expect(t.final_answer).toContain("\n");
          if (meta(t).newline_task === "multiples") {
            const [, k, x] = /first (\d+) multiples of (\d+)/.exec(t.prompt)!;
            expect(t.final_answer).toBe(Array.from({ length: Number(k) }, (_, j) => (j + 1) * Number(x)).join("\n"));
          } else {
            const items = t.prompt.split(": ")[1]!.split(", ");
            expect(t.final_answer).toBe(items.map((it, j) => `${j + 1}. ${it}`).join("\n"));
          }
          break;
        default:
          throw new Error(`unexpected kind ${String(kind)}`);
      }
    }
    expect(kinds.size).toBe(5);
  });
});

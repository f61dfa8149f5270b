import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { additionItem, generateTraces, multiplicationItem, subtractionItem } from "../../src/generate/index.js";
import { parseTrace } from "../../src/schema/index.js";
import { isTunixError } from "../../src/errors.js";

const COLUMNS = ["ones", "tens", "hundreds", "thousands", "ten-thousands", "hundred-thousands", "millions", "ten-millions", "hundred-millions", "billions", "ten-billions", "hundred-billions"];
const col = (k: number) => COLUMNS[k] ?? `10^${k}`;
const digitAt = (n: bigint, k: number) => Number((n / 10n ** BigInt(k)) % 10n);

/** Recomputes every number of a compact addition trace from the operands alone. */
function checkCompactAddition(a: bigint, b: bigint, steps: string[]): void {
  const width = Math.max(String(a).length, String(b).length);
  expect(steps).toHaveLength(width + 1);
  let carry = 0;
  for (let k = 0; k < width; k++) {
    const m = /^([a-z0-9^-]+): (\d)\+(\d)(\+1)?=(\d+) w(\d) c([01])$/.exec(steps[k]!);
    expect(m, steps[k]).not.toBeNull();
    const [, name, x, y, plus1, s, w, c] = m!;
    expect(name).toBe(col(k));
    expect(Number(x)).toBe(digitAt(a, k));
    expect(Number(y)).toBe(digitAt(b, k));
    expect(plus1 ? 1 : 0).toBe(carry);
    const sum = Number(x) + Number(y) + carry;
    expect(Number(s)).toBe(sum);
    expect(Number(w)).toBe(sum % 10);
    expect(Number(w)).toBe(digitAt(a + b, k));
    expect(Number(c)).toBe(sum >= 10 ? 1 : 0);
    carry = Number(c);
  }
  expect(steps[width]).toBe(`result: ${a + b}`);
}

/** Recomputes every number of a compact subtraction trace; no column may write a negative digit. */
function checkCompactSubtraction(a: bigint, b: bigint, steps: string[]): void {
  const width = String(a).length;
  expect(steps).toHaveLength(width + 1);
  let borrow = 0;
  for (let k = 0; k < width; k++) {
    const m = /^([a-z0-9^-]+): (\d)-(\d)(-1)?=(-?\d+)(?:\+10=(\d))? w(\d) b([01])$/.exec(steps[k]!);
    expect(m, steps[k]).not.toBeNull();
    const [, name, x, y, minus1, d, plus10, w, bOut] = m!;
    expect(name).toBe(col(k));
    expect(Number(x)).toBe(digitAt(a, k));
    expect(Number(y)).toBe(digitAt(b, k));
    expect(minus1 ? 1 : 0).toBe(borrow);
    const diff = Number(x) - Number(y) - borrow;
    expect(Number(d)).toBe(diff);
    if (diff < 0) {
      expect(Number(plus10)).toBe(diff + 10);
      expect(Number(w)).toBe(diff + 10);
      expect(bOut).toBe("1");
    } else {
      expect(plus10).toBeUndefined();
      expect(Number(w)).toBe(diff);
      expect(bOut).toBe("0");
    }
    expect(Number(w)).toBe(digitAt(a - b, k));
    borrow = Number(bOut);
  }
  expect(borrow).toBe(0); // a >= b: the top column never borrows
  expect(steps[width]).toBe(`result: ${a - b}`);
}

function checkCompactMultiplication(a: bigint, b: bigint, steps: string[]): void {
  const bDigits = String(b).length;
  const partials: bigint[] = [];
  for (let k = 0; k < bDigits; k++) {
    const m = /^([a-z0-9^-]+): (\d+)\*(\d)=(\d+)(?: -> (\d+))?$/.exec(steps[k]!);
    expect(m, steps[k]).not.toBeNull();
    const [, name, aa, d, p, shifted] = m!;
    expect(name).toBe(col(k));
    expect(BigInt(aa!)).toBe(a);
    expect(Number(d)).toBe(digitAt(b, k));
    expect(BigInt(p!)).toBe(a * BigInt(d!));
    const s = k === 0 ? BigInt(p!) : BigInt(shifted!);
    expect(s).toBe(BigInt(p!) * 10n ** BigInt(k));
    partials.push(s);
  }
  let next = bDigits;
  if (bDigits > 1) {
    expect(steps[next]).toBe(`sum: ${partials.join("+")}=${a * b}`);
    expect(partials.reduce((x, y) => x + y, 0n)).toBe(a * b);
    next++;
  }
  expect(steps[next]).toBe(`result: ${a * b}`);
  expect(steps).toHaveLength(next + 1);
}

const contents = (item: { steps: { content: string }[] }) => item.steps.map((s) => s.content);

describe("arithmetic traces", () => {
  it("matches the compact format of the learning recipe (960 - 69)", () => {
    const item = subtractionItem(960, 69);
    expect(item.prompt).toBe("What is 960 - 69?");
    expect(item.final_answer).toBe("891");
    expect(contents(item)).toEqual([
      "ones: 0-9=-9+10=1 w1 b1",
      "tens: 6-6-1=-1+10=9 w9 b1",
      "hundreds: 9-0-1=8 w8 b0",
      "result: 891",
    ]);
    expect(item.meta).toMatchObject({ task: "subtraction", difficulty: "3-digit", digits: 3, operands: [960, 69], regroups: 2 });
  });

  it("writes addition with per-column carries (987 + 45)", () => {
    expect(contents(additionItem(987, 45))).toEqual(["ones: 7+5=12 w2 c1", "tens: 8+4+1=13 w3 c1", "hundreds: 9+0+1=10 w0 c1", "result: 1032"]);
  });

  it("borrows across zeros without negative nonsense (1000 - 1)", () => {
    const item = subtractionItem(1000, 1);
    checkCompactSubtraction(1000n, 1n, contents(item));
    expect(item.final_answer).toBe("999");
    expect(subtractionItem(105, 98).final_answer).toBe("7");
    expect(subtractionItem(5, 5).final_answer).toBe("0");
  });

  it("multiplies by partial products (347 × 26)", () => {
    expect(contents(multiplicationItem(347, 26))).toEqual(["ones: 347*6=2082", "tens: 347*2=694 -> 6940", "sum: 2082+6940=9022", "result: 9022"]);
    expect(contents(multiplicationItem(12, 0))).toEqual(["ones: 12*0=0", "result: 0"]);
    checkCompactMultiplication(507n, 1003n, contents(multiplicationItem(507, 1003)));
  });

  it("recomputes every column for random operands (property)", () => {
    const operand = fc.bigInt({ min: 0n, max: 10n ** 15n - 1n });
    fc.assert(
      fc.property(operand, operand, (x, y) => {
        const [a, b] = x >= y ? [x, y] : [y, x];
        checkCompactAddition(x, y, contents(additionItem(x, y)));
        checkCompactSubtraction(a, b, contents(subtractionItem(a, b)));
        expect(additionItem(x, y).final_answer).toBe(String(x + y));
        expect(subtractionItem(a, b).final_answer).toBe(String(a - b));
      }),
      { numRuns: 150 },
    );
    const small = fc.bigInt({ min: 0n, max: 999_999n });
    fc.assert(
      fc.property(small, small, (a, b) => {
        checkCompactMultiplication(a, b, contents(multiplicationItem(a, b)));
        expect(multiplicationItem(a, b).final_answer).toBe(String(a * b));
      }),
      { numRuns: 100 },
    );
  });

  it("verbose steps carry the same numbers", () => {
    expect(contents(subtractionItem(960, 69, { format: "verbose" }))).toEqual([
      "ones column: 0 - 9 is below 0, so borrow 10: 10 - 9 = 1, write 1, borrow 1",
      "tens column: 6 - 6 - 1 (borrow) is below 0, so borrow 10: 16 - 6 - 1 = 9, write 9, borrow 1",
      "hundreds column: 9 - 0 - 1 (borrow) = 8, write 8, borrow 0",
      "Reading the written digits gives 891",
    ]);
    expect(contents(additionItem(75, 48, { format: "verbose" }))).toEqual([
      "ones column: 5 + 8 = 13, write 3, carry 1",
      "tens column: 7 + 4 + 1 (carry) = 12, write 2, carry 1",
      "The final carry 1 becomes the leading digit, so the result is 123",
    ]);
    expect(contents(multiplicationItem(34, 12, { format: "verbose" }))).toEqual([
      "Multiply 34 by the ones digit 2: 34 × 2 = 68",
      "Multiply 34 by the tens digit 1: 34 × 1 = 34, shifted 1 place left: 340",
      "Add the partial products: 68 + 340 = 408",
      "The product is 408",
    ]);
  });

  it("generated arithmetic traces are valid and correct; difficulty = digits", () => {
    const traces = [
      ...generateTraces({
        mix: [{ generator: "arithmetic", options: { operations: ["addition", "subtraction", "multiplication"], digits: [1, 6] } }],
        count: 600,
        seed: "arith-test",
      }),
    ];
    const seenDigits = new Set<number>();
    for (const t of traces) {
      expect(parseTrace(t)).toEqual(t);
      const meta = t.meta as { task: string; operands: [number, number]; digits: number; difficulty: string };
      const [a, b] = meta.operands.map(BigInt) as [bigint, bigint];
      expect(meta.digits).toBe(Math.max(String(a).length, String(b).length));
      expect(meta.difficulty).toBe(`${meta.digits}-digit`);
      seenDigits.add(meta.digits);
      const steps = t.steps.map((s) => s.content);
      if (meta.task === "addition") {
        expect(t.prompt).toBe(`What is ${a} + ${b}?`);
        checkCompactAddition(a, b, steps);
      } else if (meta.task === "subtraction") {
        expect(t.prompt).toBe(`What is ${a} - ${b}?`);
        expect(a >= b).toBe(true);
        checkCompactSubtraction(a, b, steps);
      } else {
        expect(t.prompt).toBe(`What is ${a} × ${b}?`);
        checkCompactMultiplication(a, b, steps);
      }
      expect(t.steps.map((s) => s.i)).toEqual(t.steps.map((_, i) => i));
    }
    expect([...seenDigits].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("requireRegroup gives only problems with a carry or borrow", () => {
    for (const t of generateTraces({
      mix: [{ generator: "arithmetic", options: { digits: [2, 3], requireRegroup: true } }],
      count: 200,
      seed: 3,
    })) {
      expect((t.meta as { regroups: number }).regroups).toBeGreaterThan(0);
    }
  });

  it("rejects bad operands with INVALID_ARGUMENT naming them", () => {
    expect(() => subtractionItem(3, 5)).toThrowError(/subtraction needs a >= b \(no negative results\), got 3 - 5/);
    expect(() => additionItem(-1, 5)).toThrowError(/a must be a non-negative safe integer, got -1/);
    expect(() => additionItem(1.5, 5)).toThrowError(/a must be a non-negative safe integer/);
    expect(() => multiplicationItem(2, "1e3")).toThrowError(/b must be a non-negative integer or a string of digits, got "1e3"/);
    try {
      subtractionItem(1, 2);
    } catch (e) {
      expect(isTunixError(e, "INVALID_ARGUMENT")).toBe(true);
    }
  });
});

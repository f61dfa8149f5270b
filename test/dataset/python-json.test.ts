import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pyFloat, pythonFloatRepr, pythonJsonDumps } from "../../src/dataset/index.js";
import { createRng } from "../../src/internal/rng.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
if (!hasPython) console.warn("!!! python3 not found: the python json.dumps comparison is SKIPPED !!!");

/** json.dumps(json.loads(line)) for each JSON line, in one python3 process. */
function pythonDumps(jsonLines: string[], sortKeys = false): string[] {
  const code = `import json,sys\nfor l in sys.stdin.read().split("\\n"):\n    if l: print(json.dumps(json.loads(l)${sortKeys ? ", sort_keys=True" : ""}))`;
  const r = spawnSync("python3", ["-c", code], { input: jsonLines.join("\n"), encoding: "utf8", env: { ...process.env, PYTHONIOENCODING: "utf-8" } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split("\n").slice(0, -1);
}

const SAMPLES: unknown[] = [
  { a: 1, b: [1.5, -2, 0, -0, 1e21, 1e-7, 1e16, 123456789012345680000, 0.1, 1 / 3, 5e-324, 1.7976931348623157e308] },
  { text: "héllo wörld — 日本語 😀 \u007f \u0000 \t\n\r\b\f \"q\" \\ / </script>", "ключ": "значение" },
  { nested: { deep: [[], {}, [null, true, false]] }, e: "", emoji: "👩‍👩‍👧" },
  [1e-4, 1e-5, 9.999e15, 1.5e16, 2 ** 53, -(2 ** 60), 1e20, 12345.678],
  { lone: "\ud800x\udfff", astral: "\u{10ffff}", bmpHigh: "\uffff\ue000" },
];

function randomValue(rng: ReturnType<typeof createRng>, depth: number): unknown {
  const k = rng.int(depth > 2 ? 4 : 7);
  switch (k) {
    case 0:
      return rng.int(3) === 0 ? rng.int(1000) : (rng.next() - 0.5) * 10 ** (rng.int(50) - 25);
    case 1: {
      let s = "";
      const n = rng.int(12);
      for (let i = 0; i < n; i++) {
        const r = rng.int(5);
        s += r === 0 ? String.fromCodePoint(rng.int(0x80)) : r === 1 ? String.fromCodePoint(0x80 + rng.int(0x800)) : r === 2 ? String.fromCodePoint(0x10000 + rng.int(0xfffff)) : String.fromCodePoint(0x800 + rng.int(0xd000));
      }
      return s;
    }
    case 2:
      return rng.int(2) === 0;
    case 3:
      return null;
    case 4:
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) o[`k${rng.int(100)}é`] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

describe("pythonJsonDumps", () => {
  it("uses Python's separators and escapes", () => {
    expect(pythonJsonDumps({ a: [1, "é"], b: {} })).toBe('{"a": [1, "\\u00e9"], "b": {}}');
    expect(pythonJsonDumps("😀")).toBe('"\\ud83d\\ude00"');
    expect(pythonJsonDumps("\u007f")).toBe('"\\u007f"');
    expect(pythonJsonDumps({ x: "é" }, { ensureAscii: false })).toBe('{"x": "é"}');
  });

  it("formats floats like Python repr and lets pyFloat force 1.0", () => {
    expect([1e16, 1.5e16, 1e-5, 0.0001, 1e21, 0.1, -2.5e-7].map(pythonFloatRepr)).toEqual([
      "1e+16", "1.5e+16", "1e-05", "0.0001", "1e+21", "0.1", "-2.5e-07",
    ]);
    expect(pythonJsonDumps({ loss: pyFloat(1), n: 1, z: pyFloat(-0), big: pyFloat(123456789) })).toBe(
      '{"loss": 1.0, "n": 1, "z": -0.0, "big": 123456789.0}',
    );
    expect(pythonJsonDumps([NaN, Infinity, -Infinity])).toBe("[NaN, Infinity, -Infinity]");
  });

  it("sortKeys sorts by code point like Python", () => {
    expect(pythonJsonDumps({ "\u{1F600}": 1, "\uFF21": 2, b: 3, a: 4 }, { sortKeys: true })).toBe(
      '{"a": 4, "b": 3, "\\uff21": 2, "\\ud83d\\ude00": 1}',
    );
  });

  it("rejects values Python cannot write", () => {
    expect(() => pythonJsonDumps({ f: 1n })).toThrow("pythonJsonDumps: cannot serialize a bigint");
  });

  it.skipIf(!hasPython)("equals python3 json.dumps(json.loads(JSON.stringify(v))) on fixed and 300 random values", () => {
    const rng = createRng("pyjson");
    const values = [...SAMPLES, ...Array.from({ length: 300 }, () => randomValue(rng, 0))];
    const lines = values.map((v) => JSON.stringify(v));
    expect(values.map((v) => pythonJsonDumps(v))).toEqual(pythonDumps(lines));
    expect(values.map((v) => pythonJsonDumps(v, { sortKeys: true }))).toEqual(pythonDumps(lines, true));
  });
});

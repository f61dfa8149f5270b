import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// The render area's own entry (the root re-exports it by name; test/package checks that).
import { isTunixError, TemplateError } from "../../src/errors.js";
import { type ChatMessage } from "../../src/schema/index.js";
import { pythonStrip, renderChat, type GemmaTemplate } from "../../src/render/index.js";
import { hasReference, referencePath } from "../helpers/reference.js";

interface GoldenCase {
  template: GemmaTemplate;
  messages: ChatMessage[];
  bos_token: string;
  add_generation_prompt: boolean;
  output?: string;
  error?: string;
}

/** Renders `messages` or returns the error message, so outputs and failures compare in one assertion. */
function outcome(render: () => string): { output: string } | { error: string } {
  try {
    return { output: render() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

// Python-strip, as jinja2's `trim` filter does; @huggingface/jinja's `trim` is JS trim() and filters cannot
// be overridden, so the comparison templates call this global function instead of the filter.
const pyStripTemplate = (source: string): { source: string; replaced: number } => {
  let replaced = 0;
  const out = source.replace(/(\w+\['\w+'\]) \| trim/g, (_m, expr: string) => {
    replaced++;
    return `py_strip(${expr})`;
  });
  return { source: out, replaced };
};

const SHA256: Record<GemmaTemplate, string> = {
  gemma2: "ecd6ae513fe103f0eb62e8ab5bfa8d0fe45c1074fa398b089c93a7e70c15cfd6",
  gemma3: "7de1c58e208eda46e9c7f86397df37ec49883aeece39fb961e0a6b24088dd3c4",
};

/** Characters Python's str.isspace() accepts (CPython 3: `[c for c in range(0x110000) if chr(c).isspace()]`). */
const PY_SPACE = [0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000].map((c) => String.fromCharCode(c));
/** Where JS trim() and Python strip() disagree: Python strips these, JS does not ... */
const PY_ONLY = ["\x1c", "\x1d", "\x1e", "\x1f", "\x85"];
/** ... and JS strips this, Python does not. */
const JS_ONLY = ["\ufeff"];
const DIFFERING = [...PY_ONLY, ...JS_ONLY];

const PIECES = ["hi", "Hello world", "\u{1F600}", "<start_of_turn>", "<end_of_turn>", "{{ x }}", "\n\n", "'\"\\", "\u200b"];
const text = (exclude: readonly string[] = []) =>
  fc
    .array(fc.oneof(fc.constantFrom(...PY_SPACE, ...JS_ONLY), fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 8 })), { maxLength: 6 })
    .map((parts) => parts.join(""))
    .filter((s) => !exclude.some((c) => s.includes(c)));

/** Conversations: optional system, 1..5 alternating turns, sometimes a role out of place. */
const conversation = (exclude: readonly string[] = []) =>
  fc
    .record({
      system: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: text(exclude), weight: 1 }),
      turns: fc.array(text(exclude), { minLength: 1, maxLength: 5 }),
      modelRole: fc.constantFrom("assistant" as const, "model" as const),
      swap: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 6 },
        { arbitrary: fc.tuple(fc.nat(), fc.constantFrom("user" as const, "assistant" as const, "system" as const)), weight: 1 },
      ),
      template: fc.constantFrom<GemmaTemplate>("gemma2", "gemma3"),
      bosToken: fc.constantFrom("<bos>", "", "<s>"),
      addGenerationPrompt: fc.boolean(),
    })
    .map(({ system, turns, modelRole, swap, ...rest }) => {
      const messages: ChatMessage[] = turns.map((content, k) => ({ role: k % 2 === 0 ? "user" : modelRole, content }));
      if (system !== undefined) messages.unshift({ role: "system", content: system });
      if (swap) {
        const i = swap[0] % messages.length;
        messages[i] = { ...messages[i]!, role: swap[1] };
      }
      return { messages, ...rest };
    });

describe("renderChat against Python jinja2 golden output (test/render/fixtures)", () => {
  it("matches Python jinja2 (transformers settings) on 240 golden conversations", () => {
    const golden = JSON.parse(readFileSync(join(__dirname, "fixtures", "gemma-golden.json"), "utf8")) as {
      cases: GoldenCase[];
      template_sha256: Record<GemmaTemplate, string>;
    };
    expect(golden.template_sha256).toEqual(SHA256); // rendered from the official templates
    expect(golden.cases.length).toBeGreaterThanOrEqual(200);
    for (const c of golden.cases) {
      const options = { template: c.template, bosToken: c.bos_token, addGenerationPrompt: c.add_generation_prompt };
      if (c.output !== undefined) {
        expect(renderChat(c.messages, options)).toBe(c.output);
      } else if (c.messages.length === 0) {
        // jinja2 fails with UndefinedError ("list object has no element 0"); we throw a TemplateError too.
        expect(() => renderChat(c.messages, options)).toThrow(TemplateError);
      } else {
        expect(() => renderChat(c.messages, options)).toThrow(new TemplateError(c.error!));
      }
    }
  });
});

describe.skipIf(!hasReference)("renderChat against the official templates", () => {
  // Read only when present: describe bodies run at collection time even when skipped.
  const sources = Object.fromEntries(
    (["gemma2", "gemma3"] as const).map((name) => [name, hasReference ? readFileSync(referencePath("gemma", `${name}.jinja`), "utf8") : ""]),
  ) as Record<GemmaTemplate, string>;

  it("uses the reference templates the README names (sha256)", () => {
    for (const name of ["gemma2", "gemma3"] as const) {
      expect(createHash("sha256").update(sources[name]).digest("hex")).toBe(SHA256[name]);
    }
  });

  it("matches @huggingface/jinja with a Python-strip trim on 250 generated conversations", () => {
    const compiled = {} as Record<GemmaTemplate, Template>;
    for (const name of ["gemma2", "gemma3"] as const) {
      const { source, replaced } = pyStripTemplate(sources[name]);
      expect(replaced).toBe(name === "gemma2" ? 1 : 2);
      compiled[name] = new Template(source);
    }
    let rendered = 0;
    let errors = 0;
    fc.assert(
      fc.property(conversation(), ({ messages, template, bosToken, addGenerationPrompt }) => {
        const expected = outcome(() =>
          compiled[template].render({ messages, bos_token: bosToken, add_generation_prompt: addGenerationPrompt, py_strip: pythonStrip }),
        );
        const actual = outcome(() => renderChat(messages, { template, bosToken, addGenerationPrompt }));
        expect(actual).toEqual(expected);
        if ("output" in actual) rendered++;
        else errors++;
      }),
      { seed: 20250101, numRuns: 250 },
    );
    // Most generated conversations must render (not just fail identically), and some must fail.
    expect(rendered).toBeGreaterThanOrEqual(150);
    expect(errors).toBeGreaterThanOrEqual(10);
  });

  it("matches the unmodified templates under @huggingface/jinja when the differing characters are absent", () => {
    const compiled = { gemma2: new Template(sources.gemma2), gemma3: new Template(sources.gemma3) };
    fc.assert(
      fc.property(conversation(DIFFERING), ({ messages, template, bosToken, addGenerationPrompt }) => {
        const expected = outcome(() => compiled[template].render({ messages, bos_token: bosToken, add_generation_prompt: addGenerationPrompt }));
        expect(outcome(() => renderChat(messages, { template, bosToken, addGenerationPrompt }))).toEqual(expected);
      }),
      { seed: 7, numRuns: 150 },
    );
  });

  it("differs from unmodified @huggingface/jinja exactly on the JS-vs-Python trim characters", () => {
    const t = new Template(sources.gemma3);
    for (const ch of DIFFERING) {
      const messages: ChatMessage[] = [{ role: "user", content: `${ch}hi${ch}` }];
      const js = t.render({ messages, bos_token: "" });
      const ours = renderChat(messages, { bosToken: "" });
      expect(ours).not.toBe(js);
      expect(ours).toBe(`<start_of_turn>user\n${PY_ONLY.includes(ch) ? "hi" : `${ch}hi${ch}`}<end_of_turn>\n`);
    }
  });
});

describe("Python strip semantics", () => {
  it("strips exactly Python's whitespace set", () => {
    const wrong: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (pythonStrip(`${ch}x${ch}`) !== (PY_SPACE.includes(ch) ? "x" : `${ch}x${ch}`)) wrong.push(`U+${c.toString(16)}`);
    }
    expect(wrong).toEqual([]);
    expect(pythonStrip("\u{1F600} \u{1F600}")).toBe("\u{1F600} \u{1F600}");
  });

  it("differs from JavaScript trim() on U+001C–U+001F, U+0085 and U+FEFF only", () => {
    const differing: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (pythonStrip(ch) !== ch.trim()) differing.push(ch);
    }
    expect(differing.sort()).toEqual([...DIFFERING].sort());
  });

  it("keeps U+FEFF and strips U+001C–U+001F and U+0085 in rendered turns", () => {
    expect(renderChat([{ role: "user", content: "\ufeff\x1cQ\x1d\x1e\x1f\x85" }], { bosToken: "" })).toBe(
      "<start_of_turn>user\n\ufeff\x1cQ<end_of_turn>\n",
    );
    expect(renderChat([{ role: "user", content: "\x85\x1fQ\ufeff" }], { bosToken: "" })).toBe("<start_of_turn>user\nQ\ufeff<end_of_turn>\n");
  });
});

describe("renderChat rules", () => {
  const u = (content: string): ChatMessage => ({ role: "user", content });
  const a = (content: string): ChatMessage => ({ role: "assistant", content });

  it("renders gemma3 with a folded, untrimmed system message and a generation prompt", () => {
    expect(renderChat([{ role: "system", content: "  Sys " }, u(" Q "), a(" A ")], { addGenerationPrompt: true })).toBe(
      "<bos><start_of_turn>user\n  Sys \n\nQ<end_of_turn>\n<start_of_turn>model\nA<end_of_turn>\n<start_of_turn>model\n",
    );
  });

  it("rejects a system message in gemma2 and non-alternating roles in both", () => {
    expect(() => renderChat([{ role: "system", content: "s" }, u("q")], { template: "gemma2" })).toThrow(new TemplateError("System role not supported"));
    for (const template of ["gemma2", "gemma3"] as const) {
      expect(() => renderChat([u("q"), u("q")], { template })).toThrow(
        new TemplateError("Conversation roles must alternate user/assistant/user/assistant/..."),
      );
      expect(() => renderChat([a("q")], { template })).toThrow(TemplateError);
    }
    expect(() => renderChat([])).toThrow(TemplateError);
  });

  it("names bad arguments", () => {
    const bad = (f: () => unknown, pattern: RegExp) => {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(isTunixError(error, "INVALID_ARGUMENT")).toBe(true);
      expect((error as Error).message).toMatch(pattern);
    };
    bad(() => renderChat("hi" as never), /messages must be an array, got string/);
    bad(() => pythonStrip(5 as never), /^pythonStrip expects a string, got number$/);
    bad(() => renderChat([u("q"), { role: "tool", content: "x" } as never]), /messages\[1\]\.role/);
    bad(() => renderChat([{ role: "user", content: 3 } as never]), /messages\[0\]\.content/);
    bad(() => renderChat([u("q")], { template: "gemma4" as never }), /options\.template must be "gemma2" or "gemma3", got "gemma4"/);
    bad(() => renderChat([u("q")], { bosToken: 1 as never }), /options\.bosToken must be a string/);
    bad(() => renderChat([u("q")], { addGenerationPrompt: "yes" as never }), /options\.addGenerationPrompt must be a boolean/);
  });
});

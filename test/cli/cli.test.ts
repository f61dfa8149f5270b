import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { generateTracesJsonl } from "../../src/generate/index.js";
import { cli, spawnCli, tempDir } from "./helpers.js";

describe("tunix-rt CLI (real process)", () => {
  it("--help, exit codes and --json in a child process", () => {
    const dir = tempDir();
    const help = spawnCli(dir, ["--help"]);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.name);

    const bad = spawnCli(dir, ["generate", "--count", "1.5", "--json"]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: "INVALID_ARGUMENT", message: '--count must be an integer, got "1.5" (see: tunix-rt generate --help)' } });
    expect(bad.stderr).toContain("tunix-rt generate: error [INVALID_ARGUMENT]: --count must be an integer");

    const ok = spawnCli(dir, ["generate", "--count", "50", "--mix", "arithmetic", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ generated: 50, seed: "tunix-rt", total_in_store: 50 });
    expect(ok.stderr).toMatch(/^generate: done 50\/50 traces/m); // piped: plain progress lines, no escape codes
    expect(ok.stderr).not.toContain("\x1b[");
  });
});

describe("tunix-rt CLI (in process)", () => {
  it("every command has --help", async () => {
    const dir = tempDir();
    for (const c of COMMANDS) {
      const r = await cli(dir, c.name, "--help");
      expect(r.code, c.name).toBe(0);
      expect(r.stdout).toContain(`Usage: tunix-rt ${c.name}`);
      expect(r.stdout).toContain("--json");
    }
    expect((await cli(dir, "help", "build")).stdout).toContain("Usage: tunix-rt build");
  });

  it("bad input exits 2 with a named error; unknown commands too", async () => {
    const dir = tempDir();
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command "frobnicate"/],
      [["generate", "--bogus"], /Unknown option '--bogus'/],
      [["generate", "--count", "ten"], /--count must be an integer, got "ten"/],
      [["generate", "--mix", "poetry=1"], /--mix: unknown generator "poetry"/],
      [["generate", "--mix", "arithmetic"], /^$/], // fine
      [["generate", "--holdout", "maybe"], /--holdout must be one of exclude, only, ignore/],
      [["ingest"], /give at least one JSONL file/],
      [["ingest", "missing.jsonl"], /NOT_FOUND.*no such file: missing.jsonl/],
      [["build"], /--name is required/],
      [["build", "--name", "../evil"], /UNSAFE_NAME|DATASET_INVALID/],
      [["build", "--name", "x", "--splits", "train=oops"], /--splits must look like name=number/],
      [["export", "nope.manifest.json", "--out", "x.jsonl"], /NOT_FOUND/],
      [["eval"], /give exactly one of --checkpoint or --responses/],
      [["compare", "a.json"], /give two report.json files/],
      [["report", "missing/report.json"], /NOT_FOUND/],
      [["generate", "--store", "mongo://x"], /unknown store URI "mongo:\/\/x"/],
    ];
    for (const [argv, pattern] of cases) {
      const usesStore = ["generate", "ingest", "build", "export"].includes(argv[0]!) && !argv.includes("--store");
      const r = await cli(dir, ...argv, ...(usesStore ? ["--store", `sqlite:${join(dir, "t.db")}`] : []));
      if (pattern.source === "^$") {
        expect(r.code, argv.join(" ")).toBe(0);
        continue;
      }
      expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr, argv.join(" ")).toMatch(pattern);
    }
  });

  it("ingest reports bad lines with line numbers and --strict turns them into exit 2", async () => {
    const dir = tempDir();
    const good = [...generateTracesJsonl({ count: 3, seed: 1 })];
    writeFileSync(join(dir, "in.jsonl"), `${good[0]}{not json\n${good[1]}{"prompt":"x"}\n${good[2]}`);
    const r = await cli(dir, "ingest", "in.jsonl", "--source", "test");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("in.jsonl: 3 stored, 2 skipped");
    expect(r.stdout).toMatch(/line 2: .*invalid JSON/);
    expect(r.stdout).toMatch(/line 4: /);
    const strict = await cli(dir, "ingest", "in.jsonl", "--strict", "--json");
    expect(strict.code).toBe(2);
    expect(JSON.parse(strict.stdout).error.code).toBe("JSONL_INVALID");
    const j = await cli(dir, "ingest", "in.jsonl", "--dedupe", "--json");
    expect(JSON.parse(j.stdout)).toMatchObject({ files: [{ stored: 0, skipped: 2, duplicates: 3 }], total_in_store: 6 });
  });

  it("generate → build → export is a working pipeline over a file store", async () => {
    const dir = tempDir();
    const store = ["--store", "file:traces"];
    expect((await cli(dir, "generate", "--count", "200", "--mix", "arithmetic", "--seed", "7", ...store)).code).toBe(0);
    const b = await cli(dir, "build", "--name", "arith", "--splits", "train=0.8,val=0.2", "--seed", "3", "--json", ...store);
    expect(b.code).toBe(0);
    const built = JSON.parse(b.stdout);
    expect(built).toMatchObject({ dataset_key: "arith-v1", trace_count: 200 });
    expect(built.splits.train.count + built.splits.val.count).toBe(200);
    const e = await cli(dir, "export", built.manifest, "--format", "prompt_completion", "--split", "val", "--out", "val.jsonl", "--json", ...store);
    expect(e.code).toBe(0);
    const lines = readFileSync(join(dir, "val.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(built.splits.val.count);
    const first = JSON.parse(lines[0]!);
    expect(first.prompt).toMatch(/^<bos><start_of_turn>user\nWhat is \d+ [+-] \d+\?<end_of_turn>\n<start_of_turn>model\n$/);
    expect(first.completion).toMatch(/^Reasoning:\n1\. ones: .*\nAnswer: \d+<end_of_turn>\n$/s);
    // rebuilding the same request is a no-op with the same fingerprint
    const again = JSON.parse((await cli(dir, "build", "--name", "arith", "--splits", "train=0.8,val=0.2", "--seed", "3", "--json", ...store)).stdout);
    expect(again).toMatchObject({ fingerprint: built.fingerprint, written: false });
    // generate --out writes the same bytes as the library
    expect((await cli(dir, "generate", "--count", "20", "--seed", "9", "--out", "g.jsonl")).code).toBe(0);
    expect(readFileSync(join(dir, "g.jsonl"), "utf8")).toBe([...generateTracesJsonl({ count: 20, seed: "9" })].join(""));
  });

  it("eval --responses, compare and report work without a model", async () => {
    const dir = tempDir();
    const items = readFileSync(join(__dirname, "../../evalsets/arithmetic-v1.jsonl"), "utf8").trim().split("\n").slice(0, 30).map((l) => JSON.parse(l));
    writeFileSync(join(dir, "thirty.jsonl"), items.map((it) => JSON.stringify(it)).join("\n"));
    writeFileSync(join(dir, "wrong.jsonl"), items.map((it) => JSON.stringify({ id: it.id, response: "Reasoning:\n1. guess\nAnswer: 0" })).join("\n"));
    writeFileSync(join(dir, "right.jsonl"), items.map((it, i) => JSON.stringify({ id: it.id, response: `Reasoning:\n1. work\nAnswer: ${i % 10 === 0 ? "0" : it.expected_answer}` })).join("\n"));
    const before = await cli(dir, "eval", "--responses", "wrong.jsonl", "--eval-set", "thirty.jsonl", "--out", "before", "--json");
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout).metrics.exact_answer).toBe(0);
    const after = await cli(dir, "eval", "--responses", "right.jsonl", "--eval-set", "thirty.jsonl", "--out", "after");
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/exact_answer\s+90\.0%/);
    const cmp = await cli(dir, "compare", "before/report.json", "after/report.json", "--json");
    expect(cmp.code).toBe(0);
    expect(JSON.parse(cmp.stdout).metrics.exact_answer).toMatchObject({ a: 0, b: 0.9 });
    const human = await cli(dir, "compare", "before", "after");
    expect(human.stdout).toMatch(/exact_answer\s+0\.0% → 90\.0% {2}\(\+90\.0 points, significant; 27 fixed, 0 broken\)/);
    const rep = await cli(dir, "report", "after/report.json", "--baseline", "before/report.json", "--out", "rep");
    expect(rep.code).toBe(0);
    expect(readFileSync(join(dir, "rep/report.md"), "utf8")).toContain("exact_answer");
    const missing = await cli(dir, "eval", "--responses", "wrong.jsonl", "--out", "x");
    expect(missing.code).toBe(2); // the full set has items without a response
    expect(missing.stderr).toMatch(/no response for item arithmetic-v1-0031/);
    // --limit spreads the slice over the set (every section represented)
    const spread = await cli(dir, "eval", "--responses", "right.jsonl", "--eval-set", join(dir, "thirty.jsonl"), "--limit", "3", "--out", "s", "--json");
    expect(spread.code, spread.stderr).toBe(0);
    expect(readFileSync(join(dir, "s/records.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).item_id)).toEqual([
      "arithmetic-v1-0001",
      "arithmetic-v1-0011",
      "arithmetic-v1-0021",
    ]);
  });
});

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
const tsupText = readFileSync(join(ROOT, "tsup.config.ts"), "utf8");
const typedoc = JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8")) as { entryPoints: string[] };

/** tsup `entry` map: output name (e.g. `train/index`) → source file. */
const tsupEntries = new Map(
  [...tsupText.slice(tsupText.indexOf("entry:")).matchAll(/"?([\w/.-]+)"?\s*:\s*"(src\/[^"]+\.ts)"/g)].map((m) => [m[1]!, m[2]!]),
);

/** Public entry points from package.json `exports`: subpath → source file (via the tsup entry that builds it). */
const entries = Object.entries(pkg.exports)
  .filter(([sub]) => sub !== "./package.json")
  .map(([sub, target]) => {
    const dist = (target as { import?: { default?: string } }).import?.default ?? "";
    const name = dist.replace(/^\.\/dist\//, "").replace(/\.js$/, "");
    return { sub, dist, name, source: tsupEntries.get(name) };
  });

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe("package entry points", () => {
  it("every exports subpath is built by tsup and documented by typedoc", () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(e.source, `${e.sub}: no tsup entry named "${e.name}" (from ${e.dist})`).toBeDefined();
      expect(typedoc.entryPoints, `${e.sub}: add ${e.source} to typedoc.json entryPoints`).toContain(e.source);
    }
  });

  it("index files re-export by name (no `export *`, which silently drops colliding names)", () => {
    const offenders = walk(join(ROOT, "src"))
      .filter((f) => f.endsWith("index.ts"))
      .filter((f) => /^\s*export\s+(type\s+)?\*/m.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  describe("exported names", () => {
    const sources = entries.map((e) => join(ROOT, e.source ?? ""));
    const program = ts.createProgram(sources, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    });
    const checker = program.getTypeChecker();
    /** entry subpath → export name → files declaring it. */
    const exported = new Map<string, Map<string, string[]>>();
    for (const e of entries) {
      const file = program.getSourceFile(join(ROOT, e.source ?? ""));
      const symbol = file && checker.getSymbolAtLocation(file);
      const names = new Map<string, string[]>();
      for (const s of symbol ? checker.getExportsOfModule(symbol) : []) {
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        names.set(s.getName(), (target.declarations ?? []).map((d) => relative(ROOT, d.getSourceFile().fileName)));
      }
      exported.set(e.sub, names);
    }

    it("each entry point exports something", () => {
      for (const e of entries) expect(exported.get(e.sub)?.size, e.sub).toBeGreaterThan(0);
    });

    it("no name is exported by two entry points", () => {
      const seen = new Map<string, string>();
      const duplicates: string[] = [];
      for (const [sub, names] of exported) {
        for (const name of names.keys()) {
          const first = seen.get(name);
          if (first !== undefined) duplicates.push(`${name}: exported by both "${first}" and "${sub}"`);
          else seen.set(name, sub);
        }
      }
      expect(duplicates).toEqual([]);
    });

    it("the root entry re-exports everything the render and schema areas publish", () => {
      // Cross-area helpers that areas share but users do not need.
      const notPublic = new Set(["fromZodIssues"]);
      const root = exported.get(".") ?? new Map();
      const missing: string[] = [];
      for (const area of ["render", "schema"]) {
        const file = program.getSourceFile(join(ROOT, "src", area, "index.ts"));
        const symbol = file && checker.getSymbolAtLocation(file);
        for (const s of symbol ? checker.getExportsOfModule(symbol) : []) {
          if (!root.has(s.getName()) && !notPublic.has(s.getName())) missing.push(`${area}: ${s.getName()}`);
        }
      }
      expect(missing).toEqual([]);
    });

    it("nothing from src/internal/ is exported", () => {
      const leaks: string[] = [];
      for (const [sub, names] of exported) {
        for (const [name, files] of names) {
          for (const f of files) if (f.startsWith("src/internal/") || f.includes("/internal/")) leaks.push(`${sub}: ${name} (declared in ${f})`);
        }
      }
      expect(leaks).toEqual([]);
    });
  });
});

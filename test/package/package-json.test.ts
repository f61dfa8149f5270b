import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, any>;

describe("package.json", () => {
  it("is the publishable tunix-rt ESM package the issue describes", () => {
    expect(pkg.name).toBe("tunix-rt");
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines?.node).toBe(">=20");
    expect(pkg.files).toEqual(expect.arrayContaining(["dist", "README.md", "LICENSE", "CHANGELOG.md"]));
    for (const script of ["build", "test", "typecheck", "docs", "bench"]) expect(pkg.scripts?.[script], script).toBeTypeOf("string");
  });

  it("every exports subpath has import and require conditions with types", () => {
    for (const [sub, target] of Object.entries(pkg.exports as Record<string, any>)) {
      if (sub === "./package.json") continue;
      for (const kind of ["import", "require"]) {
        expect(target?.[kind]?.types, `${sub} ${kind}.types`).toMatch(/^\.\/dist\/.+\.d\.c?ts$/);
        expect(target?.[kind]?.default, `${sub} ${kind}.default`).toMatch(/^\.\/dist\/.+\.c?js$/);
      }
    }
  });

  it("never requires @tensorflow/tfjs-node to install (an optional peer at most)", () => {
    expect(pkg.dependencies?.["@tensorflow/tfjs-node"]).toBeUndefined();
    expect(pkg.devDependencies?.["@tensorflow/tfjs-node"]).toBeUndefined();
    expect(pkg.optionalDependencies?.["@tensorflow/tfjs-node"]).toBeUndefined();
    if (pkg.peerDependencies?.["@tensorflow/tfjs-node"] !== undefined) {
      expect(pkg.peerDependenciesMeta?.["@tensorflow/tfjs-node"]?.optional).toBe(true);
    }
  });

  it("@huggingface/jinja is only a dev dependency (used by the template tests)", () => {
    expect(pkg.devDependencies?.["@huggingface/jinja"]).toBeDefined();
    expect(pkg.dependencies?.["@huggingface/jinja"]).toBeUndefined();
  });
});

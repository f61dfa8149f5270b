import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { LIBRARY_VERSION } from "../../src/internal/version.js";

it("LIBRARY_VERSION equals package.json version", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  expect(LIBRARY_VERSION).toBe(pkg.version);
});

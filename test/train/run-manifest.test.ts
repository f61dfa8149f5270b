import { describe, expect, it } from "vitest";

describe("library version", () => {
  it("TRAIN_LIBRARY_VERSION equals package.json", async () => {
    const { TRAIN_LIBRARY_VERSION } = await import("../../src/train/run-manifest.js");
    const { readFile } = await import("node:fs/promises");
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(TRAIN_LIBRARY_VERSION).toBe(pkg.version);
  });
});

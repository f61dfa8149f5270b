import { afterEach, describe, expect, it } from "vitest";
import { workerExecArgv } from "../../src/internal/worker-script.js";

describe("workerExecArgv", () => {
  const saved = process.execArgv;
  afterEach(() => {
    process.execArgv = saved;
  });

  it("keeps the parent's flags but drops what only applies to the main script", () => {
    process.execArgv = ["--input-type=module", "--max-old-space-size=300", "-e", "console.log(1)", "--import", "tsx", "--print=1", "--enable-source-maps"];
    expect(workerExecArgv()).toEqual(["--max-old-space-size=300", "--import", "tsx", "--enable-source-maps"]);
    process.execArgv = ["--eval", "x", "--input-type", "commonjs"];
    expect(workerExecArgv()).toEqual([]);
  });
});

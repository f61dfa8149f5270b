import type { z } from "zod";
import type { Issue } from "../errors.js";

/** Converts zod issues to tunix-rt {@link Issue}s, keeping their paths; `line` is added for JSONL input. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], line?: number): Issue[] {
  return issues.map((i) => ({
    code: i.code,
    path: i.path.filter((p): p is string | number => typeof p !== "symbol"),
    message: i.message,
    ...(line !== undefined ? { line } : {}),
  }));
}

/** What the CLI needs from its host process; `main.ts` supplies the real one, tests may supply their own. */
export interface CliIo {
  /** Results (human text, or one JSON document with `--json`). */
  stdout: { write(chunk: string): unknown };
  /** Progress, warnings and human-readable errors. */
  stderr: { write(chunk: string): unknown };
  /** True when stderr is a terminal: progress bars redraw in place; otherwise plain lines. */
  isTTY: boolean;
  /** Terminal width for progress bars (default 80). */
  columns?: number;
  /** Working directory that relative paths resolve against. */
  cwd: string;
  /** Environment variables. */
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C: long steps stop cleanly (training writes a checkpoint first). */
  signal: AbortSignal;
}

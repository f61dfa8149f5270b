import type { CliIo } from "./io.js";

/** A progress reporter for one long step. */
export interface Progress {
  /** Reports `done` units (of `total`, when known) and an optional short status such as `loss 1.23`. */
  update(done: number, status?: string): void;
  /** Ends the step (prints a final line). */
  finish(status?: string): void;
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * Human vs `--json` output, and TTY-aware progress: on a terminal a bar redraws in place on stderr;
 * when piped, plain lines at most every 10 % (or every 5 s without a total). `--quiet` hides progress.
 */
export class Output {
  /**
   * @param io - the host streams.
   * @param json - print one JSON document on stdout instead of human text.
   * @param quiet - no progress.
   */
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
    readonly quiet: boolean,
  ) {}

  /** A human line on stdout (suppressed with `--json`). */
  line(text = ""): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** A note on stderr (suppressed with `--quiet`). */
  note(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${text}\n`);
  }

  /** A warning on stderr (always shown). */
  warn(text: string): void {
    this.io.stderr.write(`warning: ${text}\n`);
  }

  /** The command's result: JSON on stdout with `--json`, otherwise the human lines. */
  result(value: unknown, human: readonly string[] | string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value)}\n`);
    else for (const l of typeof human === "string" ? [human] : human) this.io.stdout.write(`${l}\n`);
  }

  /** Starts a progress reporter for a step with `total` units (undefined when unknown). */
  progress(label: string, total?: number, unit = ""): Progress {
    const { io } = this;
    const started = Date.now();
    if (this.quiet) return { update: () => undefined, finish: () => undefined };
    let lastDraw = 0;
    let lastDecile = -1;
    let lastDone = 0;
    let lastStatus = "";
    const text = (done: number, status: string) => {
      const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : undefined;
      const count = total ? `${done}/${total}${unit}` : `${done}${unit}`;
      const eta = total && done > 0 && done < total ? ` eta ${formatDuration(((Date.now() - started) / done) * (total - done))}` : "";
      return { pct, count, tail: `${status ? ` ${status}` : ""} ${formatDuration(Date.now() - started)}${eta}` };
    };
    return {
      update(done, status = "") {
        lastDone = done;
        lastStatus = status;
        const now = Date.now();
        const t = text(done, status);
        if (io.isTTY) {
          if (now - lastDraw < 100 && done !== total) return;
          lastDraw = now;
          const width = Math.max(10, Math.min(30, (io.columns ?? 80) - 60));
          const filled = t.pct === undefined ? 0 : Math.round((t.pct / 100) * width);
          const bar = t.pct === undefined ? "" : ` [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(t.pct).padStart(3)}%`;
          io.stderr.write(`\r\x1b[2K${label}${bar} ${t.count}${t.tail}`);
          return;
        }
        // piped: a line per 10 % (or per 5 s without a total), and at least one every 30 s
        const decile = t.pct === undefined ? Math.floor((now - started) / 5000) : Math.floor(t.pct / 10);
        if (decile === lastDecile && now - lastDraw < 30_000) return;
        lastDecile = decile;
        lastDraw = now;
        io.stderr.write(`${label}: ${t.pct === undefined ? "" : `${t.pct}% `}${t.count}${t.tail}\n`);
      },
      finish(status) {
        const t = text(lastDone, status ?? lastStatus);
        if (io.isTTY) io.stderr.write(`\r\x1b[2K`);
        io.stderr.write(`${label}: done${lastDone > 0 || total ? ` ${t.count}` : ""}${t.tail}\n`);
      },
    };
  }
}

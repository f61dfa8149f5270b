/**
 * Plumbing of the conformance suite: injected test functions, per-test stores that are always closed,
 * error assertions.
 */
import { isTunixError, type ErrorCode, type TunixError } from "../../errors.js";
import type { TraceFilter } from "../filter.js";
import { matchesFilter } from "../filter-match.js";
import type { Direction, OrderBy, StoredTrace, TraceStore } from "../types.js";

/** The matchers the suite uses; vitest's and jest's `expect` fit. */
export interface ConformanceMatchers {
  /** Strict equality (`Object.is`). */
  toBe(expected: unknown): void;
  /** Deep equality. */
  toEqual(expected: unknown): void;
  /** Matches a regular expression. */
  toMatch(expected: RegExp | string): void;
}

/** A job for {@link ConformanceOptions.writeInChildProcess}. */
export interface ChildWriteJob {
  /** Traces to write: `makeTrace(i, {writer: tag, n: i})` for i in 0..count-1. */
  count: number;
  /** Tag stored in `meta.writer`. */
  tag: string;
  /** Traces per putMany. */
  batchSize: number;
}

/** What the child process reports. */
export interface ChildWriteResult {
  /** Traces the child stored. */
  stored: number;
  /** The TunixError code the child got when opening or writing failed (e.g. `STORE_LOCKED`). */
  errorCode?: string;
}

/** Real capability differences only; they never switch off a correctness check. */
export interface ConformanceOptions {
  /** Opens a second handle on the same data as `store` (after `store.close()`); enables the reopen tests. */
  reopen?: (store: TraceStore) => Promise<TraceStore>;
  /**
   * Runs {@link ChildWriteJob} in another process against the same data as `store` (which stays open).
   * Enables the two-process tests: with `capabilities.concurrentWriters` both writers must succeed,
   * without it the child must get `STORE_LOCKED`.
   */
  writeInChildProcess?: (store: TraceStore, job: ChildWriteJob) => Promise<ChildWriteResult>;
  /** Tests to leave out, by exact name, each with the reason (listed in the test name). */
  skip?: Record<string, string>;
  /** Per-test timeout in ms (default 30 000). */
  timeoutMs?: number;
}

/** Arguments of {@link runTraceStoreConformance}. */
export interface ConformanceArgs {
  /** The test framework's `describe`. */
  describe: (name: string, fn: () => void) => void;
  /** The test framework's `it` / `test`. */
  it: (name: string, fn: () => Promise<void>, timeout?: number) => void;
  /** The test framework's `expect`. */
  expect: (actual: unknown) => ConformanceMatchers;
  /** Makes a fresh, empty store (a new file, table or schema each time). */
  makeStore: () => Promise<TraceStore>;
  /** Capability hooks and documented deviations. */
  options?: ConformanceOptions;
  /** Label of the top-level describe block (e.g. the adapter name); default "adapter". */
  name?: string;
}

/** What each group gets. */
export interface Ctx {
  /** Registers a test that receives `open()` (fresh store, closed afterwards). */
  test(name: string, fn: (open: () => Promise<TraceStore>) => Promise<void>, timeout?: number): void;
  /** Injected expect. */
  expect: ConformanceArgs["expect"];
  /** Options. */
  options: ConformanceOptions;
}

/** Builds a {@link Ctx} from the suite arguments. */
export function makeCtx(args: ConformanceArgs): Ctx {
  const options = args.options ?? {};
  const timeout = options.timeoutMs ?? 30_000;
  return {
    expect: args.expect,
    options,
    test(name, fn, t) {
      const reason = options.skip?.[name];
      if (reason !== undefined) {
        args.it(`${name} [skipped: ${reason}]`, async () => undefined);
        return;
      }
      args.it(
        name,
        async () => {
          const opened: TraceStore[] = [];
          try {
            await fn(async () => {
              const s = await args.makeStore();
              opened.push(s);
              return s;
            });
          } finally {
            for (const s of opened) await s.close().catch(() => undefined);
          }
        },
        t ?? timeout,
      );
    },
  };
}

/** Runs `fn` and asserts it throws / rejects with a TunixError of `code`; returns the error. */
export async function expectError(fn: () => unknown, code: ErrorCode): Promise<TunixError> {
  let thrown: unknown;
  try {
    const v = fn();
    if (v && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
      for await (const _ of v as AsyncIterable<unknown>) break;
    } else await v;
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected a ${code} error, nothing was thrown`);
  if (!isTunixError(thrown, code)) throw new Error(`expected a ${code} error, got ${String((thrown as TunixError)?.code ?? "")} ${String(thrown)}`);
  return thrown as TunixError;
}

/** The ids the oracle selects from `all`, in (orderBy, id) order. */
export function oracleIds(all: readonly StoredTrace[], filter: TraceFilter | undefined, orderBy: OrderBy = "created_at", direction: Direction = "asc"): string[] {
  const key = (s: StoredTrace): string => (orderBy === "id" ? s.id : s.created_at);
  const sorted = all.filter((s) => matchesFilter(filter, s)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (direction === "desc") sorted.reverse();
  return sorted.map((s) => s.id);
}

/** Every item of a query, following cursors. */
export async function queryAll(store: TraceStore, filter: TraceFilter | undefined, opts: { orderBy?: OrderBy; direction?: Direction; limit?: number } = {}): Promise<StoredTrace[]> {
  const out: StoredTrace[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await store.query(filter, { ...opts, cursor });
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error("query pagination did not end");
}

/** Collects a stream. */
export async function collect(it: AsyncIterable<StoredTrace>): Promise<StoredTrace[]> {
  const out: StoredTrace[] = [];
  for await (const s of it) out.push(s);
  return out;
}

import { TunixError } from "../errors.js";
import { unsafeKeyReason } from "../manifest/index.js";
import type { ArtifactStore } from "../storage/index.js";
import { regressionGate, type GateInput, type RegressionGateOptions, type RegressionGateResult } from "./gate.js";
import { parseEvaluationReport, type EvaluationReport } from "./report-schema.js";

/** A named baseline: a report plus the metric and direction a gate should use. */
export interface BaselineEntry {
  /** Baseline name (a safe file name, e.g. `gemma-v1-initial`). */
  name: string;
  /** When it was saved (ISO-8601). */
  saved_at: string;
  /** Metric to gate on (null: the report's primary metric). */
  metric: string | null;
  /** Direction (null: guessed from the metric name). */
  lower_is_better: boolean | null;
  /** Artifact key of the report when the report lives in an {@link ArtifactStore}, else null. */
  report_key: string | null;
  /** The baseline report. */
  report: EvaluationReport;
}

/** Where named baselines live. Saving under an existing name replaces it (as the Python tunix-rt does). */
export interface BaselineStore {
  /** `memory` or `dir`. */
  readonly kind: string;
  /** Saves an entry under its name. */
  put(entry: BaselineEntry): Promise<void>;
  /** The entry, or undefined. */
  get(name: string): Promise<BaselineEntry | undefined>;
  /** Names, sorted. */
  list(): Promise<string[]>;
  /** Deletes a baseline; true when it existed (its artifact blob is kept: other entries may share it). */
  delete(name: string): Promise<boolean>;
}

/** Options of the baseline stores. */
export interface BaselineStoreOptions {
  /** Keep report bodies in this content-addressed store; entries then hold only the key. */
  artifacts?: ArtifactStore;
}

interface StoredEntry extends Omit<BaselineEntry, "report"> {
  report: EvaluationReport | null;
}

async function pack(entry: BaselineEntry, artifacts?: ArtifactStore): Promise<StoredEntry> {
  if (!artifacts) return { ...entry, report_key: null };
  const info = await artifacts.put(JSON.stringify(entry.report));
  return { ...entry, report_key: info.key, report: null };
}

async function unpack(stored: StoredEntry, where: string, artifacts?: ArtifactStore): Promise<BaselineEntry> {
  let report: unknown = stored.report;
  if (stored.report_key !== null && stored.report_key !== undefined) {
    if (!artifacts) throw new TunixError("EVAL_ERROR", `Baseline ${where} stores its report as ${stored.report_key}; open the store with its artifacts`);
    const bytes = await artifacts.get(stored.report_key);
    if (!bytes) throw new TunixError("NOT_FOUND", `Baseline ${where}: report blob ${stored.report_key} is missing from the artifact store`);
    report = JSON.parse(new TextDecoder().decode(bytes));
  }
  return { ...stored, report: parseEvaluationReport(report) };
}

/**
 * An in-memory baseline store (tests, notebooks).
 *
 * @param options - optional artifact store for report bodies.
 */
export function createMemoryBaselineStore(options: BaselineStoreOptions = {}): BaselineStore {
  const entries = new Map<string, string>();
  return {
    kind: "memory",
    async put(entry) {
      entries.set(checkBaselineName(entry.name), JSON.stringify(await pack(entry, options.artifacts)));
    },
    async get(name) {
      const text = entries.get(checkBaselineName(name));
      return text === undefined ? undefined : unpack(JSON.parse(text) as StoredEntry, JSON.stringify(name), options.artifacts);
    },
    async list() {
      return [...entries.keys()].sort();
    },
    async delete(name) {
      return entries.delete(checkBaselineName(name));
    },
  };
}

/**
 * A baseline store in a directory: one `<name>.baseline.json` per baseline, written atomically
 * (temp file + rename). With `artifacts`, the report body goes to the artifact store and the file keeps
 * its key.
 *
 * @param dir - the directory (created when missing).
 * @param options - optional artifact store for report bodies.
 */
export function openDirBaselineStore(dir: string, options: BaselineStoreOptions = {}): BaselineStore {
  const fileOf = async (name: string) => (await import("node:path")).join(dir, `${checkBaselineName(name)}.baseline.json`);
  return {
    kind: "dir",
    async put(entry) {
      const fs = await import("node:fs/promises");
      const file = await fileOf(entry.name);
      await fs.mkdir(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(await pack(entry, options.artifacts), null, 2) + "\n");
      await fs.rename(tmp, file);
    },
    async get(name) {
      const fs = await import("node:fs/promises");
      const file = await fileOf(name);
      let text: string;
      try {
        text = await fs.readFile(file, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
      }
      let stored: StoredEntry;
      try {
        stored = JSON.parse(text) as StoredEntry;
      } catch (e) {
        throw new TunixError("EVAL_ERROR", `Baseline file ${file} is not valid JSON`, { cause: e, details: { path: file } });
      }
      return unpack(stored, file, options.artifacts);
    },
    async list() {
      const fs = await import("node:fs/promises");
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
      return names.filter((n) => n.endsWith(".baseline.json")).map((n) => n.slice(0, -".baseline.json".length)).sort();
    },
    async delete(name) {
      const fs = await import("node:fs/promises");
      try {
        await fs.unlink(await fileOf(name));
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw e;
      }
    },
  };
}

/** Options for {@link saveBaseline}. */
export interface SaveBaselineOptions {
  /** Metric a gate should use (default: the report's primary metric at gate time). */
  metric?: string;
  /** Direction (default: guessed from the metric name). */
  lowerIsBetter?: boolean;
  /** Clock for `saved_at`. */
  now?: () => Date;
}

/**
 * Saves `report` as the named baseline (replacing an existing one of that name).
 *
 * @param store - a baseline store.
 * @param name - a safe name (letters, digits, `.`, `_`, `-`).
 * @param report - the report to keep.
 * @param options - gate metric and direction.
 * @throws TunixError `UNSAFE_NAME` for a bad name; `EVAL_ERROR` for an invalid report.
 */
export async function saveBaseline(store: BaselineStore, name: string, report: EvaluationReport, options: SaveBaselineOptions = {}): Promise<BaselineEntry> {
  checkBaselineName(name);
  const valid = parseEvaluationReport(report);
  if (options.metric !== undefined && !(options.metric in valid.metrics)) {
    throw new TunixError("EVAL_ERROR", `saveBaseline: metric ${JSON.stringify(options.metric)} is not in the report`);
  }
  const entry: BaselineEntry = {
    name,
    saved_at: (options.now ? options.now() : new Date()).toISOString(),
    metric: options.metric ?? null,
    lower_is_better: options.lowerIsBetter ?? null,
    report_key: null,
    report: valid,
  };
  await store.put(entry);
  return entry;
}

/**
 * Loads a named baseline.
 *
 * @param store - a baseline store.
 * @param name - the baseline's name.
 * @throws TunixError `NOT_FOUND` when there is no such baseline.
 */
export async function loadBaseline(store: BaselineStore, name: string): Promise<BaselineEntry> {
  const entry = await store.get(name);
  if (!entry) throw new TunixError("NOT_FOUND", `Baseline ${JSON.stringify(name)} not found`);
  return entry;
}

/**
 * Gates `current` against a named baseline, using the metric and direction saved with it unless
 * `options` override them.
 *
 * @param store - a baseline store.
 * @param name - the baseline's name.
 * @param current - the candidate report (or metrics).
 * @param options - overrides for metric, tolerance, direction.
 */
export async function checkBaseline(store: BaselineStore, name: string, current: GateInput, options: RegressionGateOptions = {}): Promise<RegressionGateResult> {
  const entry = await loadBaseline(store, name);
  const metric = options.metric ?? entry.metric ?? entry.report.primary_metric;
  const lowerIsBetter = options.lowerIsBetter ?? entry.lower_is_better ?? undefined;
  return regressionGate(current, entry.report, {
    ...options,
    metric,
    ...(lowerIsBetter !== undefined ? { lowerIsBetter } : {}),
  });
}

function checkBaselineName(name: string): string {
  const reason = typeof name === "string" ? unsafeKeyReason(name) : "must be a string";
  if (reason !== undefined) throw new TunixError("UNSAFE_NAME", `Baseline name ${JSON.stringify(name)} ${reason}`);
  return name;
}

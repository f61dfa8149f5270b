import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { TunixError } from "../errors.js";
import type { ArtifactStore } from "../storage/index.js";
import { atomicWriteFile } from "./atomic-write.js";
import { unsafeKeyReason } from "./common.js";
import {
  compactDatasetManifest,
  isCompactManifest,
  parseCompactDatasetManifest,
  TRACE_LIST_ENCODINGS,
  type CompactDatasetManifest,
} from "./compact.js";
import type { DatasetManifest } from "./dataset-schema.js";
import { manifestKey, manifestKind, parseManifest, type AnyManifest, type ManifestKind, type TypedManifest } from "./parse.js";
import { scanManifestJson } from "./scan.js";
import { openSourceChunks, readSourceText, sourceName, type ManifestSource } from "./source.js";
import { canonicalSha256, manifestChecksum, stableJsonChunks } from "./stable-json.js";

const SUFFIX: Record<ManifestKind, string> = { dataset: "manifest.json", training_run: "run.json", evaluation: "eval.json" };

/**
 * File name of a manifest inside a directory: `<key>.manifest.json` (dataset, as the Python reference
 * files are named), `<key>.run.json` (training run) or `<key>.eval.json` (evaluation).
 *
 * @param dir - the directory.
 * @param kind - manifest kind.
 * @param key - dataset key, run id or eval id (validated: no path traversal).
 * @throws TunixError `UNSAFE_NAME`.
 */
export function manifestPath(dir: string, kind: ManifestKind, key: string): string {
  const reason = unsafeKeyReason(key);
  if (reason !== undefined) throw new TunixError("UNSAFE_NAME", `manifest key ${JSON.stringify(key)}: ${reason}`);
  return join(dir, `${key}.${SUFFIX[kind]}`);
}

/** Options of {@link writeManifest}. At least one destination is required. */
export interface WriteManifestOptions {
  /** Directory to write `<key>.<kind>.json` into (created if missing). */
  dir?: string;
  /** Content-addressed store to put the manifest bytes into. */
  artifacts?: ArtifactStore;
  /** Replace an existing manifest with the same key but different content (default false). */
  overwrite?: boolean;
}

/** What {@link writeManifest} did. */
export interface WriteManifestResult<M = AnyManifest> {
  /** Manifest kind. */
  kind: ManifestKind;
  /** Its key. */
  key: string;
  /** The manifest as written (validated, with a fresh checksum) — or the existing one when unchanged. */
  manifest: M;
  /** Path of the file, when `dir` was given. */
  path?: string;
  /** sha256 of the file bytes. */
  sha256: string;
  /** Artifact key (`sha256:<hex>`), when `artifacts` was given. */
  artifactKey?: string;
  /** False when an identical manifest was already there (nothing was written to `dir`). */
  written: boolean;
}

/**
 * The parts of a manifest that define "the same content": everything except `created_at` and `checksum`
 * (and, for datasets, `provenance` and `library_version`, which say where and by what it was built, not
 * what it holds).
 */
function contentOf(typed: { kind: ManifestKind; manifest: unknown }): string {
  const { created_at: _c, checksum: _s, ...rest } = typed.manifest as Record<string, unknown>;
  if (typed.kind === "dataset") {
    delete rest.provenance;
    delete rest.library_version;
  }
  return canonicalSha256(rest);
}

/**
 * Validates and writes a manifest as stable JSON (sorted keys, 2-space indent, trailing newline) with a
 * fresh `checksum`. To a directory the write is atomic (temp file, fsync, rename/link). If a manifest with
 * the same key exists there: same content (everything but `created_at`, `checksum` and, for datasets,
 * `provenance` / `library_version`) is a no-op returning the existing manifest; different content is `MANIFEST_EXISTS` unless
 * `overwrite: true`. Through an {@link ArtifactStore} the bytes are stored under their sha256 (writing
 * identical bytes twice is naturally a no-op; the store has no names, so `MANIFEST_EXISTS` does not apply).
 *
 * A {@link CompactDatasetManifest} is written to the same bytes as its plain form, without expanding its
 * lists (and compared with an existing file by reading that one compactly too).
 *
 * @param manifest - a dataset (plain or compact), training-run or evaluation manifest (kind recognised by its key field).
 * @param options - destination(s) and overwrite policy.
 * @throws TunixError `MANIFEST_INVALID`, `MANIFEST_EXISTS`, `UNSAFE_NAME`, `INVALID_ARGUMENT` (no destination).
 */
export async function writeManifest(manifest: CompactDatasetManifest, options: WriteManifestOptions): Promise<WriteManifestResult<CompactDatasetManifest>>;
export async function writeManifest(manifest: AnyManifest, options: WriteManifestOptions): Promise<WriteManifestResult>;
export async function writeManifest(
  manifest: AnyManifest | CompactDatasetManifest,
  options: WriteManifestOptions,
): Promise<WriteManifestResult<AnyManifest | CompactDatasetManifest>>;
export async function writeManifest(
  manifest: AnyManifest | CompactDatasetManifest,
  options: WriteManifestOptions,
): Promise<WriteManifestResult<AnyManifest | CompactDatasetManifest>> {
  if (options.dir === undefined && options.artifacts === undefined) {
    throw new TunixError("INVALID_ARGUMENT", "writeManifest needs options.dir and/or options.artifacts");
  }
  const compact = isCompactManifest(manifest);
  const { checksum: _old, ...plain } = manifest as Record<string, unknown>;
  const typed: { kind: ManifestKind; manifest: Record<string, unknown> } = compact
    ? { kind: "dataset", manifest: parseCompactDatasetManifest(plain) }
    : (parseManifest(plain) as { kind: ManifestKind; manifest: Record<string, unknown> });
  const fresh = { ...typed.manifest };
  fresh.checksum = manifestChecksum(fresh);
  typed.manifest = fresh;
  const key = manifestKey(typed as TypedManifest);
  const result: WriteManifestResult<AnyManifest | CompactDatasetManifest> = { kind: typed.kind, key, manifest: fresh as AnyManifest, sha256: "", written: true };

  if (options.dir !== undefined) {
    const path = manifestPath(options.dir, typed.kind, key);
    result.path = path;
    await mkdir(options.dir, { recursive: true });
    const overwrite = options.overwrite === true;
    // The write awaits each chunk before asking for the next, so chunk buffers can be reused.
    if (!(await atomicWriteFile(path, stableJsonChunks(fresh, true), !overwrite))) {
      let existing: { kind: ManifestKind; manifest: unknown };
      try {
        existing = compact ? { kind: "dataset", manifest: await readDatasetManifest(path, { compact: true }) } : await readManifest(path, typed.kind);
      } catch (e) {
        throw new TunixError("MANIFEST_EXISTS", `${path} already exists and cannot be read as a manifest (pass overwrite: true to replace it)`, {
          cause: e,
          details: { path },
        });
      }
      if (contentOf(existing) !== contentOf(typed)) {
        throw new TunixError(
          "MANIFEST_EXISTS",
          `${typed.kind} manifest "${key}" already exists at ${path} with different content (pass overwrite: true to replace it)`,
          { details: { path } },
        );
      }
      result.manifest = existing.manifest as AnyManifest;
      result.written = false;
    }
  }
  const hash = createHash("sha256");
  for (const chunk of stableJsonChunks(result.manifest, true)) hash.update(chunk);
  result.sha256 = hash.digest("hex");
  if (options.artifacts !== undefined) {
    const manifestValue = result.manifest;
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      for (const chunk of stableJsonChunks(manifestValue)) yield typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    };
    result.artifactKey = (await options.artifacts.put(chunks())).key;
  }
  return result;
}

/** Options of {@link readDatasetManifest}. */
export interface ReadDatasetManifestOptions {
  /**
   * Return a {@link CompactDatasetManifest}: the file is read in chunks and its per-trace lists are decoded
   * straight into packed lists, so reading a million-trace manifest takes ~75 MB instead of ~400 MB.
   * Same validation, checksum check and errors as the plain read.
   */
  compact?: boolean;
}

/**
 * Reads, parses and validates a manifest; verifies its checksum when it has one. Python tunix-rt dataset
 * manifests load unchanged.
 *
 * @param source - file path or `{artifacts, key}`.
 * @param expectedKind - when given, a manifest of another kind is `MANIFEST_INVALID`.
 * @throws TunixError `NOT_FOUND`, `MANIFEST_INVALID` (bad JSON with its position, or each failing field),
 *   `MANIFEST_CHECKSUM_MISMATCH`.
 */
export async function readManifest(source: ManifestSource, expectedKind?: ManifestKind): Promise<TypedManifest> {
  const text = await readSourceText(source);
  const name = sourceName(source);
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new TunixError("MANIFEST_INVALID", `${name} is not valid JSON: ${(e as Error).message}`, { cause: e, details: { path: name } });
  }
  const typed = parseManifest(value, name);
  if (expectedKind !== undefined && typed.kind !== expectedKind) {
    throw new TunixError("MANIFEST_INVALID", `${name} is a ${typed.kind} manifest, expected ${expectedKind}`);
  }
  return typed;
}

/**
 * Reads a dataset manifest (see {@link readManifest}); with `compact: true` as a {@link CompactDatasetManifest}.
 *
 * @param source - file path or `{artifacts, key}`.
 * @param options - `compact`.
 */
export async function readDatasetManifest(source: ManifestSource, options: { compact: true }): Promise<CompactDatasetManifest>;
export async function readDatasetManifest(source: ManifestSource, options?: ReadDatasetManifestOptions & { compact?: false }): Promise<DatasetManifest>;
export async function readDatasetManifest(source: ManifestSource, options?: ReadDatasetManifestOptions): Promise<DatasetManifest | CompactDatasetManifest>;
export async function readDatasetManifest(source: ManifestSource, options: ReadDatasetManifestOptions = {}): Promise<DatasetManifest | CompactDatasetManifest> {
  if (options.compact === true) return readCompact(source);
  const typed = await readManifest(source, "dataset");
  return typed.manifest as DatasetManifest;
}

async function readCompact(source: ManifestSource): Promise<CompactDatasetManifest> {
  const chunks = await openSourceChunks(source);
  let value: Record<string, unknown> | undefined;
  try {
    value = scanManifestJson(chunks.next, chunks.decode, TRACE_LIST_ENCODINGS);
  } finally {
    await chunks.close();
  }
  // Not the expected shape (bad JSON, a list that is not strings, another kind): the plain reader names the problem.
  if (value === undefined || manifestKind(value) !== "dataset") return compactDatasetManifest(await readDatasetManifest(source));
  return parseCompactDatasetManifest(value, sourceName(source));
}

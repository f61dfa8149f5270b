import { open, readFile, type FileHandle } from "node:fs/promises";
import { readSync } from "node:fs";
import { TunixError } from "../errors.js";
import type { ArtifactStore } from "../storage/index.js";
import type { ChunkSource, Decode } from "./scan.js";

/** Where {@link readManifest} reads from: a file path, or an artifact key in an {@link ArtifactStore}. */
export type ManifestSource = string | { artifacts: ArtifactStore; key: string };

const CHUNK_BYTES = 1 << 20;

function fileError(path: string, e: unknown): TunixError {
  if ((e as NodeJS.ErrnoException).code === "ENOENT") return new TunixError("NOT_FOUND", `manifest not found: ${path}`, { cause: e });
  return new TunixError("BACKEND_ERROR", `cannot read manifest ${path}: ${(e as Error).message}`, { cause: e });
}

async function artifactBytes(source: { artifacts: ArtifactStore; key: string }): Promise<Uint8Array> {
  const bytes = await source.artifacts.get(source.key);
  if (bytes === undefined) throw new TunixError("NOT_FOUND", `manifest artifact not found: ${source.key}`);
  return bytes;
}

/** The name of a source in messages: the path or the artifact key. */
export function sourceName(source: ManifestSource): string {
  return typeof source === "string" ? source : source.key;
}

/**
 * The whole text of a source (UTF-8; an artifact decoded leniently, as TextDecoder does).
 *
 * @throws TunixError `NOT_FOUND` or `BACKEND_ERROR`.
 */
export async function readSourceText(source: ManifestSource): Promise<string> {
  if (typeof source !== "string") return new TextDecoder("utf-8", { fatal: false }).decode(await artifactBytes(source));
  try {
    return await readFile(source, "utf8");
  } catch (e) {
    throw fileError(source, e);
  }
}

/** A source opened for reading in chunks; `close` releases the file. */
export interface SourceChunks {
  /** The next chunk (the same memory each time for a file: see ChunkSource), undefined at the end. */
  next: ChunkSource;
  /** Decodes a piece as {@link readSourceText} decodes the whole (the pieces never split a character). */
  decode: Decode;
  /** Closes the file. */
  close: () => Promise<void>;
}

/**
 * Opens a source for {@link scanManifestJson}: a file is read in 1 MiB chunks into one reused buffer
 * (synchronous reads, so the scanner needs no await per byte; a fresh buffer per chunk left up to
 * ~60 MB of external garbage in RSS while a 1M-trace manifest was read), an artifact is its one chunk.
 *
 * @throws TunixError `NOT_FOUND` or `BACKEND_ERROR`.
 */
export async function openSourceChunks(source: ManifestSource): Promise<SourceChunks> {
  if (typeof source !== "string") {
    let bytes: Uint8Array | undefined = await artifactBytes(source);
    // ignoreBOM: a piece that starts with U+FEFF keeps it (the scanner skips the one at the start itself).
    const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
    const next = (): Uint8Array | undefined => {
      const b = bytes;
      bytes = undefined;
      return b;
    };
    return { next, decode: (b, start, end) => decoder.decode(b.subarray(start, end)), close: async () => undefined };
  }
  let fh: FileHandle;
  try {
    fh = await open(source, "r");
  } catch (e) {
    throw fileError(source, e);
  }
  const fd = fh.fd;
  const buf = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  const next = (): Uint8Array | undefined => {
    let n: number;
    try {
      n = readSync(fd, buf, 0, CHUNK_BYTES, null);
    } catch (e) {
      throw fileError(source, e);
    }
    return n === 0 ? undefined : buf.subarray(0, n);
  };
  return { next, decode: (b, start, end) => b.toString("utf8", start, end), close: () => fh.close() };
}
